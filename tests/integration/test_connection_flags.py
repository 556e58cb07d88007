"""Connecting like psql: no config needed (libpq's PG* environment and defaults), -d/-h/-p/-U/-W/-w,
-v naming where each value came from, failures with `reason`/`sqlstate`, command-line mistakes and
colour as PostgreSQL's tools have them. All against the real throw-away cluster."""
import json
import os
import pty
import select
import subprocess
import time

import pytest

from conftest import BIN, clean_env, free_port

TOOLS = ["pgconfig", "pgserverconfig", "pgimport", "pgexport", "pgmonkey"]


def no_password(cluster):
    """The cluster's environment without PGPASSWORD (and without PGDATABASE etc. when asked)."""
    return {k: v for k, v in cluster.env.items() if k != "PGPASSWORD"}


def uri(cluster, dbname=None, password=None):
    return (f"postgresql://{cluster.user}:{password or cluster.password}@{cluster.host}:{cluster.port}/"
            f"{dbname or cluster.dbname}")


# ---------------------------------------------------------------- no config: the PG* environment

def test_every_tool_connects_with_the_environment_alone(run, cluster, tmp_path):
    t = run("pgconfig", "test", env=cluster.env)
    assert t.returncode == 0, t.stderr
    assert t.stdout.startswith("normal: OK")
    j = json.loads(run("pgconfig", "test", "--format", "json", env=cluster.env).stdout)
    assert j["ok"] is True and j["config"] is None
    cluster.sql("DROP TABLE IF EXISTS envonly")
    data = tmp_path / "env.csv"
    data.write_text("id,name\n1,alice\n2,bob\n")
    i = run("pgimport", "--table", "envonly", data, env=cluster.env)
    assert i.returncode == 0, i.stderr
    assert cluster.sql("SELECT id, name FROM envonly ORDER BY id") == [("1", "alice"), ("2", "bob")]
    e = run("pgexport", "-t", "envonly", "-o", tmp_path / "back.csv", env=cluster.env)
    assert e.returncode == 0, e.stderr
    assert (tmp_path / "back.csv").read_text() == data.read_text()
    a = run("pgserverconfig", "--audit", "--format", "json", env=cluster.env)
    assert a.returncode in (0, 1), a.stderr  # 1: findings; never 2 (config) or 3 (connect)
    assert "findings" in json.loads(a.stdout)
    # Recommendations need the pool sizes of a config: a clear usage error without one.
    h = run("pgserverconfig", env=cluster.env)
    assert h.returncode == 2 and "-c CONFIG" in h.stderr


def test_verbose_says_where_each_value_came_from_never_the_password(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml", port=1, password=False, user=None)
    r = run("pgconfig", "test", "-c", cfg, "-p", cluster.port, "-v", env=cluster.env)
    assert r.returncode == 0, r.stderr
    err = r.stderr
    assert f"connection port = {cluster.port} (command line)" in err
    assert f"connection host = {cluster.host} (config {cfg} line" in err
    assert f"connection user = {cluster.user} (environment PGUSER)" in err
    assert "connection password: set (environment PGPASSWORD)" in err
    assert "connection sslmode = disable (config" in err
    assert cluster.password not in r.stdout + err


# ---------------------------------------------------------------- -d, -h, -p, -U

def test_dbname_uri_password_never_appears_in_any_output(run, cluster, tmp_path):
    r = run("pgconfig", "test", "-d", uri(cluster), "-v", "--format", "json", env={})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True
    assert cluster.password not in r.stdout + r.stderr
    assert "connection password: set (command line)" in r.stderr
    # A failing connection: the message, hint, JSON and -v lines still never carry it.
    cluster.sql("SELECT 1")
    f = run("pgconfig", "test", "-d", uri(cluster, dbname="no_such_db"), "-v", "--format", "json", env={})
    assert f.returncode == 3
    assert cluster.password not in f.stdout + f.stderr
    res = json.loads(f.stdout)["results"][0]
    assert res["reason"] == "no_database" and res["sqlstate"] == "3D000"
    # A URI libpq cannot parse: the error quotes nothing secret either.
    bad = f"postgresql://{cluster.user}:{cluster.password}@{cluster.host}/x?no_such_param=1"
    data = tmp_path / "one.csv"
    data.write_text("a\n1\n")
    b = run("pgimport", "-d", bad, "-t", "x", data, env={})
    assert b.returncode == 2
    assert "invalid -d/--dbname connection string" in b.stderr and "no_such_param" in b.stderr
    assert cluster.password not in b.stdout + b.stderr


def test_dbname_conninfo_and_flags_override_config_keys(run, cluster, tmp_path):
    r = run("pgconfig", "test", "-d", f"host={cluster.host} port={cluster.port} dbname={cluster.dbname}",
            "-U", cluster.user, env={"PGPASSWORD": cluster.password})
    assert r.returncode == 0, r.stderr
    cfg = cluster.write_config(tmp_path / "wrong.yaml", host="no-such-host.invalid", port=1, dbname="nodb")
    bad = run("pgconfig", "test", "-c", cfg, "--format", "json")
    assert bad.returncode == 3
    good = run("pgconfig", "test", "-c", cfg, "-h", cluster.host, "-p", cluster.port, "-d", cluster.dbname)
    assert good.returncode == 0, good.stderr
    # A plain -d is a database name, as in psql.
    cluster.sql("DROP DATABASE IF EXISTS flagsdb")
    cluster.sql("CREATE DATABASE flagsdb")
    j = json.loads(run("pgconfig", "test", "-d", "flagsdb", "--format", "json", env=cluster.env).stdout)
    assert j["results"][0]["database"] == "flagsdb"


def test_password_prompt_on_a_terminal(cluster):
    """-W asks on the terminal with echo off; the typed password connects and is never shown."""
    pid, fd = pty.fork()
    if pid == 0:
        env = clean_env(no_password(cluster))
        os.execve(str(BIN / "pgconfig"), ["pgconfig", "test", "-W"], env)
    output = b""
    answered = False
    deadline = time.time() + 60
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"Password" in output:
            os.write(fd, cluster.password.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert answered, text
    assert f"Password for user {cluster.user}: " in text
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "normal: OK" in text
    assert cluster.password not in text  # not echoed, not printed


def test_no_password_never_prompts_and_fails_as_auth(run, cluster):
    r = run("pgconfig", "test", "-w", "--format", "json", env=no_password(cluster), input="")
    assert r.returncode == 3
    res = json.loads(r.stdout)["results"][0]
    assert res["reason"] == "auth_failed"
    assert "Password" not in r.stderr
    w = run("pgconfig", "test", "-W", "-w", env=no_password(cluster))
    assert w.returncode == 2  # contradictory


# ---------------------------------------------------------------- failures: reason, sqlstate, real target

def test_failures_name_the_real_target_and_carry_reason_and_sqlstate(run, cluster, tmp_path):
    port = free_port()
    data = tmp_path / "one.csv"
    data.write_text("a\n1\n")
    r = run("pgimport", "-t", "t", "--format", "json", data, env={**cluster.env, "PGPORT": str(port)})
    assert r.returncode == 3
    doc = json.loads(r.stdout.strip().splitlines()[-1])
    assert doc["reason"] == "refused" and "sqlstate" not in doc
    assert f"host={cluster.host} port={port}" in doc["error"]
    assert "PGPORT" in doc["hint"]
    assert "libpq defaults" not in r.stderr
    bad_db = run("pgconfig", "test", env={**cluster.env, "PGDATABASE": "nope_db"})
    assert bad_db.returncode == 3
    assert "fix PGDATABASE" in bad_db.stderr and "in the config" not in bad_db.stderr
    pw = run("pgexport", "-t", "x", "--format", "json", env={**cluster.env, "PGPASSWORD": "wrong-password-9"})
    assert pw.returncode == 3
    doc = json.loads(pw.stdout)
    assert doc["reason"] == "auth_failed" and doc["sqlstate"] == "28P01"
    host = run("pgconfig", "test", "-h", "no-such-host.invalid", "--format", "json", env=cluster.env)
    assert json.loads(host.stdout)["results"][0]["reason"] == "unknown_host"


# ---------------------------------------------------------------- command-line mistakes

@pytest.mark.parametrize("tool,args,message,hint", [
    ("pgimport", ["--encodng", "UTF8", "x.csv"], "unknown option '--encodng' (did you mean '--encoding'?)",
     "Try 'pgimport --help' for more information."),
    ("pgexport", ["-t", "x", "--delimitr=;"], "unknown option '--delimitr' (did you mean '--delimiter'?)",
     "Try 'pgexport --help' for more information."),
    ("pgconfig", ["test", "--conection-type", "all"],
     "unknown option '--conection-type' (did you mean '--connection-type'?)",
     "Try 'pgconfig test --help' for more information."),
    ("pgserverconfig", ["--zzz"], "unknown option '--zzz'", "Try 'pgserverconfig --help' for more information."),
])
def test_unknown_options_read_like_the_tools_other_errors(run, tool, args, message, hint):
    r = run(tool, *args)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"{tool}: error: {message}", f"{tool}: hint: {hint}"]
    assert "not expected" not in r.stderr


def test_help_is_question_mark_and_h_is_host(run):
    for tool in ["pgconfig", "pgserverconfig", "pgimport", "pgexport"]:
        q = run(tool, "-?")
        assert q.returncode == 0 and "Usage:" in q.stdout, tool
        assert q.stdout == run(tool, "--help").stdout
    h = run("pgimport", "--help").stdout
    assert "Connection options:" in h and "-h,--host" in h and "-W,--password" in h and "-d,--dbname" in h
    assert "-?,--help" in run("pgconfig", "test", "-?").stdout


# ---------------------------------------------------------------- colour

def run_on_pty(args, env):
    """Runs with stderr on a pseudo-terminal; returns (exit code, what the terminal got)."""
    main, child = pty.openpty()
    p = subprocess.Popen([str(BIN / args[0]), *args[1:]], stdout=subprocess.DEVNULL, stderr=child,
                         stdin=subprocess.DEVNULL, env=env)
    os.close(child)
    data = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    os.close(main)
    return p.wait(), data.decode()


def test_colour_only_on_the_word_and_as_pg_color_no_color_and_term_say(run):
    red = "\x1b[01;31merror:\x1b[0m"
    hint = "\x1b[01;36mhint:\x1b[0m"
    # PG_COLOR=always wins over a pipe and over NO_COLOR (set by the test environment).
    r = run("pgimport", "--encodng", "x", env={"PG_COLOR": "always"})
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == f"pgimport: {red} unknown option '--encodng' (did you mean '--encoding'?)"
    assert f"pgimport: {hint} Try" in r.stderr
    assert "\x1b" not in run("pgimport", "--encodng", "x", env={"PG_COLOR": "auto"}).stderr
    base = {k: v for k, v in clean_env().items() if k not in ("NO_COLOR", "PG_COLOR")}
    base["TERM"] = "xterm"
    code, tty = run_on_pty(["pgimport", "--encodng", "x"], base)
    assert code == 2 and red in tty
    for extra in ({"NO_COLOR": "1"}, {"TERM": "dumb"}, {"PG_COLOR": "never"}):
        code, tty = run_on_pty(["pgimport", "--encodng", "x"], {**base, **extra})
        assert code == 2 and "error:" in tty and "\x1b" not in tty, extra


def test_pgmonkey_aliases_are_the_same_in_both_transfer_tools(run, cluster, tmp_path):
    imp, exp = run("pgimport", "--help").stdout, run("pgexport", "--help").stdout
    assert "--quote,--quotechar" in imp and "--quote,--quotechar" in exp
    assert "--import_config" in imp and "--export_config" in exp
    cluster.sql("DROP TABLE IF EXISTS alias_q")
    data = tmp_path / "q.csv"
    data.write_text("a;b\n'x;y';2\n")
    r = run("pgimport", "-t", "alias_q", "--quotechar", "'", "--delimiter", ";", data, env=cluster.env)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT a, b FROM alias_q") == [("x;y", "2")]
