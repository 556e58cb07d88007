"""Shared fixtures: a throw-away PostgreSQL cluster (scripts/pgcluster), the built tools, configs."""
import json
import os
import pathlib
import shlex
import signal
import socket
import subprocess

import psycopg
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("PGMONKEY_BIN", ROOT / "build" / "apps"))
PGCLUSTER = ROOT / "scripts" / "pgcluster"

# The tools keep a signal that was ignored when they started ignored (as nohup wants). Run from a
# background job or under nohup, this process ignores SIGINT/SIGHUP and its children would too,
# so the tests that send them would fail: the tools under test start with the usual dispositions.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGHUP, signal.SIG_DFL)


class Cluster:
    """A running throw-away cluster; `env` holds PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE."""

    def __init__(self, directory):
        self.dir = pathlib.Path(directory)
        self.env = {}
        for line in (self.dir / "env").read_text().splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            self.env[key] = shlex.split(value)[0] if value else ""
        self.host = self.env["PGHOST"]
        self.port = int(self.env["PGPORT"])
        self.user = self.env["PGUSER"]
        self.password = self.env["PGPASSWORD"]
        self.dbname = self.env["PGDATABASE"]
        self.data = self.dir / "data"

    def connect(self, dbname=None, user=None, password=None, **kw):
        return psycopg.connect(host=self.host, port=self.port, user=user or self.user,
                               password=password if password is not None else self.password,
                               dbname=dbname or self.dbname, autocommit=True, **kw)

    def sql(self, query, params=None, dbname=None):
        """Runs one statement as the superuser; returns the rows (or [] for commands)."""
        with self.connect(dbname=dbname) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def settings(self):
        return dict(self.sql("SELECT name, setting FROM pg_settings"))

    def restart(self):
        subprocess.run([str(PGCLUSTER), "restart", str(self.dir)], check=True)

    def stop(self):
        subprocess.run([str(PGCLUSTER), "stop", str(self.dir)], check=False)

    def write_config(self, path, connection_type="normal", password=True, extra_connection=None,
                     sections=None, mode=0o600, **overrides):
        """Writes a pgmonkey YAML config for this cluster. `sections` adds/overrides top-level
        sections (dicts); `overrides` replace connection_settings keys (None removes one)."""
        conn = {"host": self.host, "port": self.port, "user": self.user, "dbname": self.dbname,
                "sslmode": "disable", "connect_timeout": 10}
        if password:
            conn["password"] = self.password if password is True else password
        conn.update(extra_connection or {})
        for key, value in overrides.items():
            if value is None:
                conn.pop(key, None)
            else:
                conn[key] = value
        doc = {"connection_type": connection_type, "connection_settings": conn}
        doc.update(sections or {})
        path = pathlib.Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_yaml(doc))
        path.chmod(mode)
        return path


def to_yaml(doc, indent=0):
    """Block YAML with JSON-quoted scalars (valid YAML), enough for our configs."""
    lines = []
    pad = " " * indent
    for key, value in doc.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines.append(to_yaml(value, indent + 2))
        else:
            lines.append(f"{pad}{key}: {json.dumps(value)}")
    return "\n".join(line for line in lines if line) + ("\n" if indent == 0 else "")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(*args):
    out = subprocess.run([str(PGCLUSTER), "start", *args], check=True, capture_output=True, text=True)
    return Cluster(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def cluster():
    c = start_cluster()
    yield c
    c.stop()


def clean_env(extra=None):
    """The environment for a tool run: no PG* variables leak in unless a test adds them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def run_tool(tool, *args, env=None, input=None, timeout=300, cwd=None):
    """Runs a built tool; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run([str(BIN / tool), *map(str, args)], env=clean_env(env), input=input,
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


@pytest.fixture
def run():
    return run_tool
