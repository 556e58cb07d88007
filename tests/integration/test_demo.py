"""The README's Quick start command: scripts/demo.sh walks the toolkit and always cleans up."""
import os
import pathlib
import re
import signal
import socket
import subprocess

from conftest import BIN, ROOT


def demo_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGMONKEY_BUILD_DIR"] = os.path.relpath(BIN.parent, ROOT)  # reuse the build under test
    env["NO_COLOR"] = "1"
    return env


def cluster_of(line):
    m = re.search(r"127\.0\.0\.1:(\d+) in (\S+)", line)
    assert m, line
    return int(m.group(1)), pathlib.Path(m.group(2))


def accepts(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_demo_walks_through_and_removes_the_cluster():
    r = subprocess.run([str(ROOT / "scripts" / "demo.sh")], env=demo_env(), capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "demo finished" in r.stdout
    for step in ("$ pgconfig create", "$ pgconfig validate", "$ pgconfig test",
                 "normal: OK", "pool: OK", "async: OK", "async_pool: OK",
                 "$ pgserverconfig -c demo.yaml --app-instances 2", "max_connections =",
                 "$ pgserverconfig -c demo.yaml --audit", "summary:",
                 "$ pgconfig generate-code", "SELECT 1 returned 1",
                 "$ pgimport", "customer_id", "Zoë Müller", "nothing was imported",
                 "$ pgexport", "id,item,price", '"rows": 100000'):
        assert step in r.stdout, step
    port, directory = cluster_of(r.stdout)
    assert not directory.exists()
    assert not accepts(port)


def test_demo_cleans_up_on_ctrl_c():
    # Stop it right after the cluster started, before the walk-through finishes.
    env = demo_env()
    # Its own process group, signalled as a terminal does on Ctrl-C.
    proc = subprocess.Popen([str(ROOT / "scripts" / "demo.sh")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = ""
    for line in proc.stdout:
        if "throw-away cluster on" in line:
            break
    port, directory = cluster_of(line)
    assert directory.exists()
    os.killpg(proc.pid, signal.SIGINT)
    rest, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "demo finished" not in rest
    assert not directory.exists()
    assert not accepts(port)
