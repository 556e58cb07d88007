"""pgimport --recover and the stale-leftover warning, against leftovers made with psql the way an
interrupted parallel import leaves them: prepared parts named by their gid, hidden tables, and
the advisory lock a live run's coordinating session holds."""
import itertools
import json
import os
import subprocess
import time

import pytest

DB = "recoverdb"
STARTED = 1796000000
_pids = itertools.count(41000)


def gid(pid, part, parts):
    return f"pgmonkey-pgimport:{pid}:{STARTED}:{part}/{parts}"


def hidden(pid, table):
    return f"pgmonkey_load_{pid}_{STARTED}_{table}"


def lock_key(pid):
    """The run's advisory lock key, as lib/transfer/load_marks.cpp computes it."""
    mixed = ((pid * 1000003) & 0xFFFFFFFFFFFFFFFF) ^ STARTED
    low = (mixed ^ (mixed >> 32)) & 0xFFFFFFFF
    return 0x70676D6B, low - (1 << 32) if low >= 1 << 31 else low


@pytest.fixture(scope="module")
def db(cluster):
    cluster.sql(f"CREATE DATABASE {DB}")
    yield DB
    cluster.sql(f"DROP DATABASE {DB}")


class Server:
    """psql against the test database, remembering every prepared transaction it makes so the
    finalizer can roll back what a test left (they would block other tests and the shutdown)."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.gids = []  # (database, gid)
        self.sessions = []

    def psql(self, script, dbname=DB, user=None, password=None):
        env = {**os.environ, **self.cluster.env, "PGDATABASE": dbname}
        if user:
            env.update(PGUSER=user, PGPASSWORD=password)
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"], input=script, env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr

    def prepare(self, pid, part, parts, table, values, dbname=DB, user=None, password=None):
        """One part of a run: its rows inserted and the transaction prepared under our gid."""
        g = gid(pid, part, parts)
        self.gids.append((dbname, g))
        rows = ", ".join(f"({v})" for v in values)
        self.psql(f"BEGIN;\nINSERT INTO {table} VALUES {rows};\nPREPARE TRANSACTION '{g}';\n", dbname, user,
                  password)
        return g

    def prepare_foreign(self, name, table, value):
        self.gids.append((DB, name))
        self.psql(f"BEGIN;\nINSERT INTO {table} VALUES ({value});\nPREPARE TRANSACTION '{name}';\n")

    def hold_lock(self, pid):
        """Another psql session holding the run's lock, as a live run's coordinator does; a
        SIGKILL of it is a crashed coordinator."""
        k1, k2 = lock_key(pid)
        name = f"recover-holder-{pid}"
        env = {**os.environ, **self.cluster.env, "PGDATABASE": DB, "PGAPPNAME": name}
        proc = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"], env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        proc.stdin.write(f"SELECT pg_advisory_lock({k1}, {k2});\n\\echo locked\n")
        proc.stdin.flush()
        while proc.stdout.readline().strip() != "locked":
            assert proc.poll() is None, "psql holding the lock ended"
        proc.app_name = name
        self.sessions.append(proc)
        return proc

    def kill(self, proc):
        """SIGKILL the holder, then wait until the server has ended its session (and lock)."""
        proc.kill()
        proc.wait()
        for _ in range(200):
            if not self.cluster.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = %s", (proc.app_name,)):
                return
            time.sleep(0.05)
        raise AssertionError(f"the {proc.app_name} session did not end")

    def prepared(self):
        return {r[0] for r in self.cluster.sql("SELECT gid FROM pg_prepared_xacts")}

    def tables(self, pattern="pgmonkey_load_%"):
        return {(r[0], r[1]) for r in self.cluster.sql(
            "SELECT schemaname, tablename FROM pg_tables WHERE tablename LIKE %s", (pattern,), dbname=DB)}

    def values(self, table):
        return sorted(r[0] for r in self.cluster.sql(f"SELECT v FROM {table}", dbname=DB))

    def cleanup(self):
        for proc in self.sessions:
            if proc.poll() is None:
                self.kill(proc)
        still = self.prepared()
        for dbname, g in self.gids:
            if g in still:
                self.cluster.sql(f"ROLLBACK PREPARED '{g}'", dbname=dbname)


@pytest.fixture
def server(cluster, db, request):
    s = Server(cluster)
    request.addfinalizer(s.cleanup)
    return s


@pytest.fixture
def table(server):
    """A fresh existing table for one test, with one committed row."""
    name = f"target_{next(_pids)}"
    server.psql(f"CREATE TABLE {name} (v int); INSERT INTO {name} VALUES (0);")
    return name


@pytest.fixture
def cfg(cluster, db, tmp_path):
    return cluster.write_config(tmp_path / "conn.yaml", dbname=db)


def recover(run, cfg, *args):
    return run("pgimport", "-c", cfg, "--recover", *args)


def test_nothing_to_recover(run, cfg, server):
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert f"nothing to recover: no prepared transactions or hidden tables of interrupted parallel pgimport " \
           f"runs in database {DB}" in r.stdout


def test_all_parts_prepared_are_committed(run, cfg, server, table):
    pid = next(_pids)
    gids = [server.prepare(pid, p, 3, table, [p * 10, p * 10 + 1]) for p in (1, 2, 3)]
    assert server.values(table) == [0]
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert f"run pid {pid} started 2026-11-30 00:53:20 UTC, interrupted: all 3 parts were prepared: commit them" \
        in r.stdout
    for g in gids:
        assert f"COMMIT PREPARED '{g}': done" in r.stdout
    assert r.stdout.index(gids[0]) < r.stdout.index(gids[1]) < r.stdout.index(gids[2])
    assert "committed 3 prepared transactions, rolled back 0, dropped 0 hidden tables" in r.stdout
    assert server.values(table) == [0, 10, 11, 20, 21, 30, 31]
    assert not set(gids) & server.prepared()


def test_a_prefix_of_the_parts_is_rolled_back(run, cfg, server, table):
    pid = next(_pids)
    gids = [server.prepare(pid, p, 3, table, [p]) for p in (1, 2)]
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert "2 of 3 parts were prepared when it stopped: roll them back" in r.stdout
    # Part 2 first: a crash in between leaves part 1 alone, which still reads as "roll back".
    assert r.stdout.index(f"ROLLBACK PREPARED '{gids[1]}': done") < r.stdout.index(
        f"ROLLBACK PREPARED '{gids[0]}': done")
    assert server.values(table) == [0]
    assert not set(gids) & server.prepared()


def test_a_suffix_of_the_parts_is_committed(run, cfg, server, table):
    pid = next(_pids)
    gids = [server.prepare(pid, p, 3, table, [p]) for p in (2, 3)]
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert "part 1 of 3 was already committed: commit the other 2 parts" in r.stdout
    assert server.values(table) == [0, 2, 3]
    assert not set(gids) & server.prepared()


def test_hidden_tables_are_dropped_in_any_schema(run, cfg, server):
    pid = next(_pids)
    name = hidden(pid, "orders")
    server.psql(f'CREATE SCHEMA "Stage.In"; CREATE TABLE "Stage.In".{name} (v int); '
                f'INSERT INTO "Stage.In".{name} VALUES (1);')
    assert server.tables() >= {("Stage.In", name)}
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert f'DROP TABLE "Stage.In"."{name}": done' in r.stdout
    assert "its new table was never renamed: drop it" in r.stdout
    assert ("Stage.In", name) not in server.tables()
    server.psql('DROP SCHEMA "Stage.In"')


def test_a_live_run_is_left_alone(run, cfg, server, table):
    pid = next(_pids)
    gids = [server.prepare(pid, p, 2, table, [p]) for p in (1, 2)]
    server.psql(f"CREATE TABLE {hidden(pid, 'live')} (v int)")
    holder = server.hold_lock(pid)
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert f"run pid {pid} started 2026-11-30 00:53:20 UTC: still running (its session holds the run's lock); " \
           "left alone" in r.stdout
    assert "1 running run left alone" in r.stdout
    assert set(gids) <= server.prepared()
    assert ("public", hidden(pid, "live")) in server.tables()
    assert server.values(table) == [0]
    # The normal path does not warn about it either: it is not a leftover.
    f = cfg.parent / "one.csv"
    f.write_text("v\n5\n")
    r = run("pgimport", "-c", cfg, "--progress", "never", "--table", f"{table}_other", f)
    assert r.returncode == 0, r.stderr
    assert "left by an interrupted" not in r.stderr
    # Once its coordinator is killed, the run is dead and is finished.
    server.kill(holder)
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert server.values(table) == [0, 1, 2]
    assert ("public", hidden(pid, "live")) not in server.tables()


def test_dry_run_changes_nothing(run, cfg, server, table):
    pid = next(_pids)
    gids = [server.prepare(pid, p, 2, table, [p]) for p in (1, 2)]
    server.psql(f"CREATE TABLE {hidden(pid, 't')} (v int)")
    r = recover(run, cfg, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert f"COMMIT PREPARED '{gids[0]}': would run (dry run)" in r.stdout
    assert f'DROP TABLE "public"."{hidden(pid, "t")}": would run (dry run)' in r.stdout
    assert "would commit 2 prepared transactions, roll back 0, drop 1 hidden table" in r.stdout
    assert "dry run: nothing was changed" in r.stdout
    assert set(gids) <= server.prepared()
    assert ("public", hidden(pid, "t")) in server.tables()
    assert server.values(table) == [0]
    # The lock was let go: a real run now finishes it.
    assert recover(run, cfg).returncode == 0
    assert server.values(table) == [0, 1, 2]


def test_json_lists_runs_steps_and_what_was_done(run, cfg, server, table):
    dead, live = next(_pids), next(_pids)
    server.prepare(dead, 1, 2, table, [1])
    server.prepare(live, 1, 1, table, [7])
    server.hold_lock(live)
    r = recover(run, cfg, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and doc["database"] == DB and doc["dry_run"] is False
    assert doc["alive"] == 1 and doc["unresolved"] == 0 and doc["other_databases"] == []
    runs = {x["pid"]: x for x in doc["runs"]}
    d = runs[dead]
    assert d["state"] == "dead" and d["started"] == STARTED and d["started_at"] == "2026-11-30T00:53:20Z"
    assert d["parts"] == 2 and d["decision"] == "rollback" and d["resolved"] is True
    assert d["prepared"] == [{"gid": gid(dead, 1, 2), "part": 1, "owner": "postgres"}]
    assert d["hidden_tables"] == []
    assert d["steps"] == [{"action": "rollback", "gid": gid(dead, 1, 2), "owner": "postgres",
                           "sql": f"ROLLBACK PREPARED '{gid(dead, 1, 2)}'", "status": "done"}]
    a = runs[live]
    assert a["state"] == "alive" and a["decision"] is None and a["steps"] == [] and a["resolved"] is False
    assert a["prepared"][0]["gid"] == gid(live, 1, 1)
    assert gid(live, 1, 1) in server.prepared()
    assert server.values(table) == [0]


def test_gids_of_other_applications_are_not_touched(run, cfg, server, table):
    server.prepare_foreign("other-app-1", table, 1)
    server.prepare_foreign("pgmonkey-pgimport:1:2:3", table, 2)  # looks like ours, is not
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert "nothing to recover" in r.stdout
    assert {"other-app-1", "pgmonkey-pgimport:1:2:3"} <= server.prepared()
    assert server.values(table) == [0]


def test_runs_in_other_databases_are_named_not_touched(cluster, run, cfg, server):
    pid = next(_pids)
    server.psql("CREATE TABLE IF NOT EXISTS elsewhere_t (v int)", dbname="postgres")
    g = server.prepare(pid, 1, 1, "elsewhere_t", [1], dbname="postgres")
    r = recover(run, cfg)
    assert r.returncode == 0, r.stderr
    assert "database postgres has 1 prepared transaction left by parallel pgimport runs: connect to it " \
           "(-d postgres) and run pgimport --recover there" in r.stdout
    assert g in server.prepared()


def test_permission_denied_names_the_role_to_use(cluster, run, cfg, server, table):
    server.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rec_alice') THEN "
                "CREATE ROLE rec_alice LOGIN PASSWORD 'alice-pw'; CREATE ROLE rec_bob LOGIN PASSWORD 'bob-pw'; "
                "END IF; END $$;"
                f"GRANT ALL ON {table} TO rec_alice; GRANT CREATE ON SCHEMA public TO rec_alice;")
    pid = next(_pids)
    g = server.prepare(pid, 1, 1, table, [1], user="rec_alice", password="alice-pw")
    server.psql(f"CREATE TABLE {hidden(pid, 'a')} (v int)", user="rec_alice", password="alice-pw")
    bob = cluster.write_config(cfg.parent / "bob.yaml", dbname=DB, user="rec_bob", password="bob-pw")
    r = recover(run, bob)
    assert r.returncode == 1, r.stderr
    assert f"COMMIT PREPARED '{g}': failed: permission denied to finish prepared transaction" in r.stdout
    assert f'DROP TABLE "public"."{hidden(pid, "a")}": skipped (an earlier step failed)' in r.stdout
    assert "1 run could not be recovered" in r.stdout
    assert "hint: only the role that prepared a transaction or a superuser may finish it: run pgimport " \
           "--recover as rec_alice or as a superuser" in r.stderr
    assert "bob-pw" not in r.stdout + r.stderr
    assert g in server.prepared() and server.values(table) == [0]
    j = json.loads(recover(run, bob, "--format", "json").stdout)
    step = next(x for x in j["runs"] if x["pid"] == pid)["steps"][0]
    assert j["ok"] is False and j["unresolved"] == 1
    assert step["status"] == "failed" and "rec_alice" in step["hint"]
    # Its owner can.
    alice = cluster.write_config(cfg.parent / "alice.yaml", dbname=DB, user="rec_alice", password="alice-pw")
    r = recover(run, alice)
    assert r.returncode == 0, r.stderr
    assert server.values(table) == [0, 1]
    assert ("public", hidden(pid, "a")) not in server.tables()


def test_a_normal_import_warns_about_dead_leftovers(run, cfg, server, table, tmp_path):
    pid = next(_pids)
    g = server.prepare(pid, 1, 2, table, [1])
    server.psql(f"CREATE TABLE {hidden(pid, 'w')} (v int)")
    f = tmp_path / "data.csv"
    f.write_text("v\n5\n6\n")
    r = run("pgimport", "-c", cfg, "--progress", "never", "--table", f"{table}_new", f)
    assert r.returncode == 0, r.stderr
    warning = (f"pgimport: warning: found 1 prepared transaction and 1 hidden table left by an interrupted "
               f"parallel pgimport (run pid {pid} started 2026-11-30 00:53:20 UTC); run 'pgimport --recover'")
    assert r.stderr.count(warning) == 1, r.stderr
    assert [x[0] for x in server.cluster.sql(f"SELECT v FROM {table}_new ORDER BY v", dbname=DB)] == ["5", "6"]
    # Warned about, not touched.
    assert g in server.prepared() and ("public", hidden(pid, "w")) in server.tables()
    assert recover(run, cfg).returncode == 0
    r = run("pgimport", "-c", cfg, "--progress", "never", "--table", f"{table}_new", f)
    assert r.returncode == 0 and "left by an interrupted" not in r.stderr


def test_usage_and_connection_errors(run, cfg, tmp_path):
    r = run("pgimport", "-c", cfg, "--recover", "data.csv")
    assert r.returncode == 2
    assert "--recover takes no FILE, --table or --write-import-config" in r.stderr
    r = run("pgimport", "-c", cfg, "--recover", "--table", "t")
    assert r.returncode == 2
    r = run("pgimport", "-h", "127.0.0.1", "-p", "1", "-w", "--recover")
    assert r.returncode == 3, r.stderr


def test_the_warning_never_fails_an_import(cluster, run, server, table, tmp_path, request):
    """A role that may not read pg_prepared_xacts still imports: no warning, a debug line with -v."""
    server.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rec_carol') THEN "
                "CREATE ROLE rec_carol LOGIN PASSWORD 'carol-pw'; END IF; END $$;"
                "GRANT CREATE ON SCHEMA public TO rec_carol; REVOKE SELECT ON pg_prepared_xacts FROM PUBLIC;")
    request.addfinalizer(lambda: server.psql("GRANT SELECT ON pg_prepared_xacts TO PUBLIC"))
    server.prepare(next(_pids), 1, 2, table, [1])
    carol = cluster.write_config(tmp_path / "carol.yaml", dbname=DB, user="rec_carol", password="carol-pw")
    f = tmp_path / "data.csv"
    f.write_text("v\n5\n")
    r = run("pgimport", "-c", carol, "--progress", "never", "-v", "--table", f"{table}_carol", f)
    assert r.returncode == 0, r.stderr
    assert "left by an interrupted" not in r.stderr
    assert "debug: could not look for leftovers of interrupted parallel imports: " \
           "ERROR:  permission denied for view pg_prepared_xacts" in r.stderr
    assert server.cluster.sql(f"SELECT v FROM {table}_carol", dbname=DB) == [("5",)]
