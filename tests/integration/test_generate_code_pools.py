"""The pool programs of pgconfig generate-code under trouble, against real clusters: terminated
backends, borrowers that leave a transaction open or change settings, a stopped server process,
a server that comes up after the program. Each pool is driven through a small driver
(codegen_drivers/) that includes or imports the generated program and runs one command per line."""
import os
import pathlib
import select
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import PGCLUSTER, clean_env, free_port, run_tool, start_cluster

DRIVERS = pathlib.Path(__file__).resolve().parent / "codegen_drivers"
PYTHON = "/usr/bin/python3"  # Debian's, with python3-psycopg and python3-psycopg-pool
POOLS = ["cpp_pool", "cpp_async_pool", "py_pool", "py_async_pool"]
SESSION = {"statement_timeout": "20000"}


def pkg_config(*packages):
    out = subprocess.run(["pkg-config", "--cflags", "--libs", *packages], check=True, capture_output=True, text=True)
    return out.stdout.split()


def pool_config(cluster, path, app, min_size=1, max_size=1, timeout=2, **conn):
    pool = {"min_size": min_size, "max_size": max_size, "timeout": timeout, "check_on_checkout": True}
    sections = {"sync_settings": SESSION, "async_settings": SESSION, "pool_settings": pool,
                "async_pool_settings": dict(pool)}
    return cluster.write_config(path, application_name=app, sections=sections, **conn)


def generate(cfg, out, language, connection_type):
    r = run_tool("pgconfig", "generate-code", "-c", cfg, "--language", language, "--connection-type",
                 connection_type, "-o", out)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def programs(cluster, tmp_path_factory):
    """Each pool program, generated, and for C++ compiled into its driver: name -> command prefix."""
    d = tmp_path_factory.mktemp("pools")
    cfg = pool_config(cluster, d / "gen.yaml", "gen")
    cmds, jobs = {}, []
    for t in ("pool", "async_pool"):
        src = generate(cfg, d / f"{t}.cpp", "cpp", t)
        exe = d / f"cpp_{t}_driver"
        jobs.append(["g++", "-std=c++17", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread", f"-I{d}",
                     f'-DPOOL_SOURCE="{src.name}"', "-o", exe, DRIVERS / f"{t}_driver.cpp",
                     *pkg_config("libpqxx", "libpq", "yaml-cpp")])
        cmds[f"cpp_{t}"] = [exe]
    for t in ("pool", "async_pool"):
        src = generate(cfg, d / f"py_{t}.py", "python", t)
        cmds[f"py_{t}"] = [PYTHON, DRIVERS / "py_pool_driver.py", src]
    with ThreadPoolExecutor(max_workers=2) as pool:  # 2 cores, shared
        results = list(pool.map(lambda cmd: subprocess.run([str(c) for c in cmd], capture_output=True, text=True),
                                jobs))
    for cmd, r in zip(jobs, results):
        assert r.returncode == 0, r.stderr
    return cmds


class Driver:
    """One running driver: send a command, read its one-line answer."""

    def __init__(self, cmd, cfg, stderr_path, wait=60):
        self.stderr_path = stderr_path
        self.stderr = open(stderr_path, "w")
        self.proc = subprocess.Popen([str(c) for c in [*cmd, cfg]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True, env=clean_env())
        assert self.read(wait) == "ready", self.log()

    def read(self, wait=60):
        ready, _, _ = select.select([self.proc.stdout], [], [], wait)
        assert ready, f"no answer within {wait} s; stderr: {self.log()}"
        return self.proc.stdout.readline().strip()

    def __call__(self, command, wait=60):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.read(wait)

    def log(self):
        self.stderr.flush()
        return pathlib.Path(self.stderr_path).read_text()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        return self.proc.returncode


@pytest.fixture
def driver(programs, cluster, tmp_path, request):
    started = []

    def start(name, cfg):
        d = Driver(programs[name], cfg, tmp_path / f"{name}.stderr")
        started.append(d)
        return d

    yield start
    for d in started:
        d.close()


def backends(cluster, app):
    return [pid for (pid,) in cluster.sql("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app,))]


@pytest.mark.parametrize("name", POOLS)
def test_pool_survives_terminated_backends(cluster, driver, tmp_path, name):
    app = f"cg_term_{name}"
    cfg = pool_config(cluster, tmp_path / "c.yaml", app, min_size=2, max_size=2)
    d = driver(name, cfg)
    for _ in range(50):  # the async pool opens its second connection while it serves
        assert d("run SELECT 1") == "ok 1"
        if len(backends(cluster, app)) == 2:
            break
    assert len(backends(cluster, app)) == 2
    cluster.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", (app,))
    for _ in range(4):  # the check on checkout replaces each broken connection unseen
        assert d("run SELECT 1") == "ok 1", d.log()


@pytest.mark.parametrize("name", POOLS)
def test_failed_borrowers_transaction_is_not_committed_by_the_next(cluster, driver, tmp_path, name):
    table = f"cg_tx_{name}"
    cluster.sql(f"DROP TABLE IF EXISTS {table}")
    cluster.sql(f"CREATE TABLE {table} (x int)")
    d = driver(name, pool_config(cluster, tmp_path / "c.yaml", f"cg_tx_{name}"))
    assert d(f"leave BEGIN; INSERT INTO {table} VALUES (1)") == "ok -"  # given back inside its transaction
    assert d(f"fail BEGIN; INSERT INTO {table} VALUES (2)") == "failed"
    answer = d("leave BEGIN; SELECT 1/0")  # a failed transaction
    assert answer.startswith("error") and "division by zero" in answer, answer
    assert d(f"run INSERT INTO {table} VALUES (3); COMMIT") == "ok -"
    assert cluster.sql(f"SELECT x FROM {table} ORDER BY x") == [(3,)]


@pytest.mark.parametrize("name", POOLS)
def test_borrowers_settings_do_not_reach_the_next(cluster, driver, tmp_path, name):
    d = driver(name, pool_config(cluster, tmp_path / "c.yaml", f"cg_set_{name}"))
    assert d("run SHOW statement_timeout") == "ok 20s"
    assert d("run SET statement_timeout = 0") == "ok -"
    assert d("run SET work_mem = '1MB'") == "ok -"
    assert d("run SHOW statement_timeout") == "ok 20s"  # the config's value again
    assert d("run SHOW work_mem") == "ok 4MB"  # the server default again


@pytest.mark.parametrize("name", POOLS)
def test_stopped_server_process_makes_acquire_fail_within_timeout(cluster, driver, tmp_path, name):
    app = f"cg_stop_{name}"
    d = driver(name, pool_config(cluster, tmp_path / "c.yaml", app, timeout=2))
    assert d("run SELECT 1") == "ok 1"
    (pid,) = backends(cluster, app)
    os.kill(pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        answer = d("run SELECT 1", wait=30)
        elapsed = time.monotonic() - start
    finally:
        os.kill(pid, signal.SIGCONT)
    assert answer.startswith("error"), answer
    assert elapsed < 2 + 1, f"acquire took {elapsed:.1f} s"
    assert d("run SELECT 1") == "ok 1", d.log()  # and the pool recovers


@pytest.mark.parametrize("name", POOLS)
def test_server_started_after_the_pool_is_reached_by_the_backoff(cluster, programs, tmp_path, name):
    port, password = free_port(), "late-start-pw-1"
    cfg = pool_config(cluster, tmp_path / "late.yaml", f"cg_late_{name}", timeout=60, port=port,
                      password=password, user="postgres", dbname="postgres")
    stderr_path = tmp_path / "late.stderr"
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen([str(c) for c in [*programs[name], cfg]], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err, text=True, env=clean_env())
    late = None
    try:
        proc.stdin.write("run SELECT 1\n")  # waiting from the start, also in the async pool's loop
        proc.stdin.flush()
        time.sleep(3)
        assert proc.poll() is None, stderr_path.read_text()  # still trying
        late = start_cluster("--port", str(port), "--password", password)
        out, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if late:
            late.stop()
    assert proc.returncode == 0, stderr_path.read_text()
    assert out.split("\n")[:2] == ["ready", "ok 1"], stderr_path.read_text()
    if name.startswith("cpp"):
        assert "retrying in 0.5 s" in stderr_path.read_text()


@pytest.mark.parametrize("name", POOLS)
def test_stopped_postmaster_makes_acquire_fail_within_timeout(cluster, driver, tmp_path, name):
    # min_size 0: every checkout opens a connection, and the server accepts it but never answers.
    d = driver(name, pool_config(cluster, tmp_path / "c.yaml", f"cg_pm_{name}", min_size=0, timeout=2))
    assert d("run SELECT 1") == "ok 1"
    assert d("run SELECT pg_terminate_backend(pg_backend_pid())").startswith("error")  # none left idle
    # psycopg_pool replaces a lost connection in the background whatever min_size says: let it,
    # and stop that one's server process too, so every way to a working session is blocked.
    time.sleep(1)
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    stopped = [postmaster, *backends(cluster, f"cg_pm_{name}")]
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        answer = d("run SELECT 1", wait=30)
        elapsed = time.monotonic() - start
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    assert answer.startswith("error"), answer
    assert elapsed < 2 + 1, f"acquire took {elapsed:.1f} s"
