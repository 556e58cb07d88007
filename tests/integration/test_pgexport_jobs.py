"""pgexport --jobs against a real throw-away cluster: the same bytes as one session over many
block ranges, one snapshot for all sessions, the fallbacks, and failures and signals with
several sessions."""
import gzip
import json
import os
import subprocess
import threading
import time

import pytest

from conftest import BIN, clean_env

# Tiny ranges (3 blocks): the test tables span dozens of them.
SMALL_RANGES = {"PGMONKEY_EXPORT_RANGE_BLOCKS": "3"}

BIG = r"""
CREATE TABLE big (id int, name text, note text, amount numeric, at timestamptz,
                  twice int GENERATED ALWAYS AS (id * 2) STORED, "Mixed Case" text);
INSERT INTO big (id, name, note, amount, at, "Mixed Case")
SELECT i,
       CASE WHEN i % 11 = 0 THEN NULL ELSE 'Ünïcødé € ✓ 😀 ' || i END,
       CASE WHEN i % 5 = 0 THEN E'two\nlines, "quoted"' WHEN i % 13 = 0 THEN '' ELSE repeat('n', i % 50) END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3.0 END,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
       CASE WHEN i % 3 = 0 THEN E'cr\r\nlf' ELSE 'plain' END
FROM generate_series(1, 6000) i;
"""


@pytest.fixture(scope="module")
def db(cluster):
    cluster.sql("DROP SCHEMA IF EXISTS export_jobs CASCADE")
    cluster.sql("CREATE SCHEMA export_jobs")
    with cluster.connect() as conn:
        conn.execute("SET search_path = export_jobs")
        conn.execute("SET synchronize_seqscans = off")
        conn.execute(BIG)
        # Holes: dead tuples here and there and whole blocks emptied, never vacuumed.
        conn.execute("ALTER TABLE big SET (autovacuum_enabled = false)")
        conn.execute("DELETE FROM big WHERE id % 17 = 0 OR id BETWEEN 2000 AND 2600")
        conn.execute("UPDATE big SET name = 'updated ' || id WHERE id % 29 = 0")
        conn.execute("CREATE VIEW big_view AS SELECT id, name FROM big")
        conn.execute("CREATE MATERIALIZED VIEW big_mv AS SELECT * FROM big")
        # A dropped column leaves a hole in the row that neither export may show.
        conn.execute("CREATE TABLE dropped AS SELECT id, name AS gone, note FROM big")
        conn.execute("ALTER TABLE dropped DROP COLUMN gone")
        conn.execute("CREATE TABLE tiny (id int)")
        conn.execute("INSERT INTO tiny VALUES (1), (2)")
        # Enough incompressible data that an xz export stays in its stream for a while.
        conn.execute("CREATE TABLE slow (id int, pad text)")
        conn.execute("ALTER TABLE slow SET (autovacuum_enabled = false)")
        conn.execute("INSERT INTO slow SELECT i, md5(i::text) || md5((i + 1)::text) || md5((i * 7)::text) "
                     "FROM generate_series(1, 400000) i")
    blocks = cluster.sql("SELECT pg_relation_size('export_jobs.big') / 8192")[0][0]
    assert blocks > 30  # dozens of 3-block ranges
    return cluster


@pytest.fixture
def cfg(db, tmp_path):
    return db.write_config(tmp_path / "conf" / "c.yaml")


def export(run, cfg, *args, env=None, cwd=None):
    return run("pgexport", "-c", cfg, *args, env={**SMALL_RANGES, **(env or {})}, cwd=cwd)


def entries(folder):
    return sorted(p.name for p in folder.iterdir())


def one_session(run, cfg, tmp_path, *args, table="export_jobs.big"):
    out = tmp_path / "one.csv"
    r = export(run, cfg, "-t", table, "-o", out, "--force", *args)
    assert r.returncode == 0, r.stderr
    return out.read_bytes()


@pytest.mark.parametrize("jobs", ["2", "3", "5"])
def test_same_bytes_as_one_session_over_many_ranges(db, run, cfg, tmp_path, jobs):
    expected = one_session(run, cfg, tmp_path)
    out = tmp_path / "jobs.csv"
    r = export(run, cfg, "-t", "export_jobs.big", "-o", out, "--jobs", jobs, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == expected
    summary = json.loads(r.stdout)
    assert summary["jobs"] == int(jobs) and summary["method"] == "block-ranges"
    assert summary["rows"] == db.sql("SELECT count(*) FROM export_jobs.big")[0][0]
    assert expected.startswith(b'id,name,note,amount,at,Mixed Case\n')  # no generated column, one header
    assert expected.count(b"id,name,note") == 1
    # And it is what psql writes.
    psql = tmp_path / "psql.csv"
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                    f"\\copy export_jobs.big TO '{psql}' WITH (FORMAT csv, HEADER)"],
                   env=clean_env(db.env), check=True)
    assert psql.read_bytes() == expected


@pytest.mark.parametrize("table, method", [("export_jobs.dropped", "block-ranges"), ("export_jobs.big_mv", "single")])
def test_dropped_columns_and_materialized_views(db, run, cfg, tmp_path, table, method):
    expected = one_session(run, cfg, tmp_path, table=table)
    out = tmp_path / "jobs.csv"
    r = export(run, cfg, "-t", table, "-o", out, "-j", "2", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["method"] == method
    assert out.read_bytes() == expected


@pytest.mark.parametrize("flags", [
    ["--delimiter", ";", "--null", "NULL", "--force-quote", "*"],
    ["--crlf", "--encoding", "utf-16"],
    ["--no-header", "--columns", "note,twice,id", "--quote", "'"],
    ["--encoding", "utf-8-sig", "--crlf"],
])
def test_dialects_and_encodings_match_one_session(db, run, cfg, tmp_path, flags):
    expected = one_session(run, cfg, tmp_path, *flags)
    out = tmp_path / "jobs.csv"
    r = export(run, cfg, "-t", "export_jobs.big", "-o", out, "-j", "3", *flags)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == expected
    assert r.stdout.rstrip().endswith("3 sessions")


def test_compressed_output_and_stdout(db, run, cfg, tmp_path):
    expected = one_session(run, cfg, tmp_path)
    r = export(run, cfg, "-t", "export_jobs.big", "-o", tmp_path / "jobs.csv.gz", "-j", "2")
    assert r.returncode == 0, r.stderr
    assert gzip.decompress((tmp_path / "jobs.csv.gz").read_bytes()) == expected
    r = export(run, cfg, "-t", "export_jobs.big", "-o", tmp_path / "jobs.csv.zst", "-j", "2", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["compression"] == "zstd"
    plain = subprocess.run(["zstd", "-dc", str(tmp_path / "jobs.csv.zst")], capture_output=True, check=True).stdout
    assert plain == expected
    env = {**SMALL_RANGES}
    p = subprocess.run([str(BIN / "pgexport"), "-c", str(cfg), "-t", "export_jobs.big", "-o", "-", "-j", "4"],
                       env=clean_env(env), capture_output=True, check=True)
    assert p.stdout == expected


def test_views_and_small_tables_fall_back_to_one_session_with_a_note(db, run, cfg, tmp_path):
    expected = one_session(run, cfg, tmp_path, table="export_jobs.big_view")
    out = tmp_path / "view.csv"
    r = export(run, cfg, "-t", "export_jobs.big_view", "-o", out, "-j", "2", "-v", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == expected
    summary = json.loads(r.stdout)
    assert summary["jobs"] == 1 and summary["method"] == "single"
    assert "debug: one session: export_jobs.big_view is a view" in r.stderr
    assert "warning" not in r.stderr
    # Without the test's tiny ranges, a table of a few blocks is not worth more sessions.
    r = run("pgexport", "-c", cfg, "-t", "export_jobs.tiny", "-o", tmp_path / "tiny.csv", "-j", "4", "-v")
    assert r.returncode == 0, r.stderr
    assert "one session: export_jobs.tiny is too small to split (0.0 MB, under 8.0 MB)" in r.stderr
    assert "sessions" not in r.stdout
    assert (tmp_path / "tiny.csv").read_text() == "id\n1\n2\n"
    # Without -v, the choice is not shown at all.
    r = export(run, cfg, "-t", "export_jobs.big_view", "-o", tmp_path / "v2.csv", "-j", "2")
    assert r.returncode == 0 and r.stderr == ""


def test_dry_run_shows_the_sessions_and_statements_and_writes_nothing(db, run, cfg, tmp_path):
    r = export(run, cfg, "-t", "export_jobs.big", "-o", tmp_path / "big.csv.gz", "-j", "3", "--dry-run")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "source: export_jobs.big"
    assert lines[1] == f"output: {tmp_path / 'big.csv.gz'}, UTF8, gzip"
    assert lines[2].startswith("sessions: 3 (block-ranges): 3 sessions in one snapshot, ")
    assert "  SELECT pg_catalog.pg_export_snapshot();" in lines
    assert any("SET TRANSACTION SNAPSHOT" in line and "NOWAIT" in line for line in lines)
    copies = [line for line in lines if line.startswith("  COPY (SELECT")]
    assert len(copies) == 3 and "HEADER true" in copies[0] and "HEADER false" in copies[1]
    assert copies[0].startswith('  COPY (SELECT "id", "name", "note", "amount", "at", "Mixed Case" FROM ONLY '
                                '"export_jobs"."big" WHERE ctid < \'(3,0)\')')
    assert "more ranges" in r.stdout
    assert lines[-1] == "dry run: nothing was written"
    assert entries(tmp_path) == ["conf"]
    r = export(run, cfg, "-t", "export_jobs.big_view", "-j", "3", "--dry-run", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["dry_run"] is True and doc["jobs"] == 1 and doc["method"] == "single" and doc["rows"] == 0
    assert entries(tmp_path) == ["conf"]
    r = export(run, cfg, "-t", "export_jobs.big_view", "-j", "3", "--dry-run", cwd=tmp_path)
    assert "sessions: 1 (single): one session: export_jobs.big_view is a view" in r.stdout
    assert '  COPY (SELECT * FROM "export_jobs"."big_view") TO STDOUT' in r.stdout


def test_a_session_that_cannot_connect_says_which_and_leaves_nothing(db, run, tmp_path):
    db.sql("DROP ROLE IF EXISTS jobs_limited")
    db.sql("CREATE ROLE jobs_limited LOGIN PASSWORD 'limited-pw' CONNECTION LIMIT 2")
    db.sql("GRANT USAGE ON SCHEMA export_jobs TO jobs_limited")
    db.sql("GRANT SELECT ON export_jobs.big TO jobs_limited")
    conf = db.write_config(tmp_path / "conf" / "limited.yaml", user="jobs_limited", password="limited-pw")
    out = tmp_path / "big.csv"
    out.write_text("previous contents\n")
    r = export(run, conf, "-t", "export_jobs.big", "-o", out, "--force", "-j", "3")
    assert r.returncode == 3, r.stderr
    assert "session 3 of 3" in r.stderr and "--jobs 2" in r.stderr
    assert "limited-pw" not in r.stderr
    assert out.read_text() == "previous contents\n"
    assert entries(tmp_path) == ["big.csv", "conf"]
    r = export(run, conf, "-t", "export_jobs.big", "-o", out, "--force", "-j", "2")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == one_session(run, conf, tmp_path)


@pytest.mark.parametrize("value", ["0", "-1", "65", "two"])
def test_bad_jobs_is_a_usage_error(db, run, cfg, tmp_path, value):
    r = export(run, cfg, "-t", "export_jobs.big", "-o", tmp_path / "x.csv", "--jobs", value)
    assert r.returncode == 2
    assert "--jobs" in r.stderr
    assert entries(tmp_path) == ["conf"]


def start_fifo_export(db, cfg, tmp_path, table, *extra):
    """Starts an export into a FIFO; returns once its first session read the catalog (its
    snapshot is taken) and it waits for a reader, before any other session started."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = subprocess.Popen([str(BIN / "pgexport"), "-c", str(cfg), "-t", table, "-o", str(fifo), *extra],
                            env=clean_env(SMALL_RANGES), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if db.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgexport' "
                  "AND state = 'idle in transaction'"):
            return proc, fifo
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the export never opened its snapshot")


def test_all_sessions_read_the_first_sessions_snapshot(db, run, cfg, tmp_path):
    db.sql("DROP TABLE IF EXISTS export_jobs.snap")
    db.sql("CREATE TABLE export_jobs.snap AS SELECT * FROM export_jobs.big")
    expected = one_session(run, cfg, tmp_path, table="export_jobs.snap")
    proc, fifo = start_fifo_export(db, cfg, tmp_path, "export_jobs.snap", "-j", "3", "--format", "json")
    # Committed after the snapshot, before the other sessions begin: none of it may show.
    with db.connect() as conn:
        conn.execute("UPDATE export_jobs.snap SET note = 'changed later'")
        conn.execute("DELETE FROM export_jobs.snap WHERE id % 2 = 0")
        conn.execute("INSERT INTO export_jobs.snap (id, name) SELECT i, 'inserted later' FROM generate_series(1, 500) i")
    with open(fifo, "rb") as f:
        data = f.read()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(out)["jobs"] == 3
    assert b"later" not in data
    assert data == expected


def test_an_exclusive_lock_waiting_behind_the_export_fails_it_instead_of_hanging(db, run, cfg, tmp_path):
    proc, fifo = start_fifo_export(db, cfg, tmp_path, "export_jobs.big", "-j", "2")
    conn = db.connect()
    conn.autocommit = False
    locker = threading.Thread(target=lambda: conn.execute("LOCK TABLE export_jobs.big IN ACCESS EXCLUSIVE MODE"))
    locker.start()
    try:
        deadline = time.monotonic() + 20
        while not db.sql("SELECT 1 FROM pg_locks WHERE relation = 'export_jobs.big'::regclass AND NOT granted"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with open(fifo, "rb") as f:
            f.read()
        _, err = proc.communicate(timeout=60)
        locker.join(timeout=30)
    finally:
        conn.rollback()
        conn.close()
    assert proc.returncode == 1, err
    assert b"has a lock request waiting for this export" in err
    assert b"--jobs 1" in err


def start_slow_export(cfg, out, *extra):
    """An export whose xz stage is slower than the sessions: they fill what they may hold ahead
    and wait, the first one mid-COPY. A session killed while it waits is noticed when its data
    is next read."""
    return subprocess.Popen([str(BIN / "pgexport"), "-c", str(cfg), "-t", "export_jobs.slow", "-o", str(out),
                             "--compress", "xz", "--compress-level", "1", "-j", "2", *extra],
                            env=clean_env({"PGMONKEY_EXPORT_RANGE_BLOCKS": "1024"}),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_sessions(db, proc, n):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # Both sessions in their first range (the second may have all of it on the way already).
        rows = db.sql("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgexport' "
                      "AND query LIKE 'COPY%' ORDER BY backend_start")
        if len(rows) >= n:
            time.sleep(0.3)
            assert proc.poll() is None, "the export finished before it could be interrupted"
            return [r[0] for r in rows]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the sessions' COPYs never ran together")


def no_pgexport_sessions_left(db):
    deadline = time.monotonic() + 10
    while db.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgexport'") and time.monotonic() < deadline:
        time.sleep(0.05)
    return db.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgexport'") == []


@pytest.mark.parametrize("how", ["terminate_worker", "terminate_first", "SIGINT", "SIGTERM"])
def test_failure_or_signal_with_several_sessions_leaves_the_target_untouched(db, cfg, tmp_path, how):
    out = tmp_path / "slow.csv.xz"
    out.write_text("previous contents\n")
    proc = start_slow_export(cfg, out, "--force")
    pids = wait_for_sessions(db, proc, 2)
    assert [n for n in entries(tmp_path) if n.startswith(".slow.csv.xz.pgexport-")]
    if how == "terminate_worker":
        db.sql("SELECT pg_terminate_backend(%s)", (pids[-1],))
    elif how == "terminate_first":
        db.sql("SELECT pg_terminate_backend(%s)", (pids[0],))
    else:
        proc.send_signal(getattr(__import__("signal"), how))
    _, err = proc.communicate(timeout=60)
    if how.startswith("terminate"):
        assert proc.returncode == 1, err
        assert "lost the connection to the server" in err
    else:
        assert proc.returncode == 130, err
        assert "interrupted" in err
    assert out.read_text() == "previous contents\n"
    assert entries(tmp_path) == ["conf", "slow.csv.xz"]
    assert no_pgexport_sessions_left(db)


def test_sigint_without_an_existing_target_leaves_no_file(db, cfg, tmp_path):
    out = tmp_path / "new.csv.xz"
    proc = start_slow_export(cfg, out)
    wait_for_sessions(db, proc, 2)
    proc.send_signal(__import__("signal").SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert entries(tmp_path) == ["conf"]
    assert no_pgexport_sessions_left(db)


def test_an_inheritance_parent_is_read_alone_as_copy_reads_it(db, run, cfg, tmp_path):
    # COPY t never includes the rows of tables that inherit from t; neither do the range queries.
    db.sql("CREATE TABLE export_jobs.parent (id int, t text)")
    db.sql("INSERT INTO export_jobs.parent SELECT i, repeat('p', 200) FROM generate_series(1, 3000) i")
    db.sql("CREATE TABLE export_jobs.child () INHERITS (export_jobs.parent)")
    db.sql("INSERT INTO export_jobs.child SELECT -i, 'child' FROM generate_series(1, 100) i")
    expected = one_session(run, cfg, tmp_path, table="export_jobs.parent")
    assert expected.count(b"\n") == 3001 and b"child" not in expected
    out = tmp_path / "jobs.csv"
    r = export(run, cfg, "-t", "export_jobs.parent", "-o", out, "--jobs", "2", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["method"] == "block-ranges"
    assert out.read_bytes() == expected
