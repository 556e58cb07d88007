"""The README's Quick start command: scripts/demo.sh walks the toolkit and always cleans up."""
import os
import pathlib
import re
import signal
import socket
import subprocess
import tempfile
import time

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


def test_demo_ctrl_c_during_initdb_leaves_nothing_and_the_password_file_is_private():
    # Under /tmp itself: initdb runs as postgres when the tests run as root, and must reach it.
    with tempfile.TemporaryDirectory() as scratch:
        os.chmod(scratch, 0o755)
        interrupt_during_initdb(pathlib.Path(scratch))


def interrupt_during_initdb(tmp_path):
    # A stand-in initdb (the real PostgreSQL binaries otherwise) that notes the password file's
    # mode and where it is, then waits to be interrupted.
    real = pathlib.Path(subprocess.run(["bash", "-c", "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1"],
                                       capture_output=True, text=True, check=True).stdout.strip())
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in real.iterdir():
        if tool.name != "initdb":
            (bindir / tool.name).symlink_to(tool)
    mark = tmp_path / "mark"
    mark.mkdir()
    mark.chmod(0o777)
    (bindir / "initdb").write_text(
        "#!/bin/sh\nfor a; do case $a in --pwfile=*) pw=${a#--pwfile=};; esac; done\n"
        f"stat -c '%a %n' \"$pw\" > {mark}/info.tmp && mv {mark}/info.tmp {mark}/info\nexec sleep 120\n")
    (bindir / "initdb").chmod(0o755)
    env = demo_env()
    env["PG_BINDIR"] = str(bindir)
    proc = subprocess.Popen([str(ROOT / "scripts" / "demo.sh")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 600  # the demo first checks the build
        while not (mark / "info").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.2)
        mode, pwfile = (mark / "info").read_text().split()
        assert mode == "600"  # the superuser's password, never world-readable
        directory = pathlib.Path(pwfile).parent
        assert directory.exists()
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, out + err
    assert not directory.exists()  # left with its pwfile before
    assert "== building" in out and "demo finished" not in out
