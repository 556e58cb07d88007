"""pgimport --jobs N against a real cluster: the same rows as one session, all or nothing with
every kind of failure (bad row, killed session, Ctrl-C), the method chosen for each target."""
import json
import signal
import subprocess
import time

import pytest

from conftest import BIN, clean_env, start_cluster

FLAGS = ["--delimiter", ",", "--quote", '"', "--header", "--encoding", "UTF-8", "--progress", "never"]
SMALL_CHUNKS = {"PGMONKEY_IMPORT_CHUNK_BYTES": "700"}


def imp(*args, env=None, input=None):
    return subprocess.run([str(BIN / "pgimport"), *FLAGS, *map(str, args)], env=clean_env(env), input=input,
                          capture_output=True, timeout=300)


def start(*args, env=None):
    return subprocess.Popen([str(BIN / "pgimport"), *FLAGS, *map(str, args)], env=clean_env(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def write_rows(path, n, bad_line=None):
    """Rows with quoted line breaks, commas, quotes and multibyte text (so chunk and read
    boundaries fall inside them); returns the file line each id starts on."""
    lines = [b"id,name,note\n"]
    starts = {}
    line = 2
    for i in range(1, n + 1):
        starts[i] = line
        if i % 7 == 0:
            rec = f'{i},"multi\nline {i}","ü€𝄞 {i}, ""q"""\n'
        else:
            rec = f"{i},name{i},ü€𝄞 note {i}\n"
        if line == bad_line:
            rec = f"x{i},bad,bad\n"
        data = rec.encode()
        lines.append(data)
        line += data.count(b"\n")
    path.write_bytes(b"".join(lines))
    return starts


def digest(cluster, table):
    return cluster.sql(f"SELECT count(*), md5(string_agg(id || '|' || name || '|' || note, ';' ORDER BY id)) "
                       f"FROM {table}")[0]


def leftovers(cluster):
    return (cluster.sql("SELECT gid FROM pg_prepared_xacts"),
            cluster.sql("SELECT relname FROM pg_class WHERE relname LIKE 'pgmonkey_load_%'"))


def test_new_table_loads_through_a_hidden_name_and_matches_one_session(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "rows.csv"
    write_rows(f, 6000)  # > 256 KiB: reads split multibyte characters; 700-byte chunks: hundreds of COPYs
    one = imp("-c", cfg, "-t", "jobs_one", f)
    assert one.returncode == 0, one.stderr
    r = imp("-c", cfg, "-t", "jobs_new", "-j", 3, f, "--format", "json", env=SMALL_CHUNKS)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["jobs"] == 3 and doc["method"] == "rename" and doc["rows"] == 6000 and doc["created"]
    assert digest(cluster, "jobs_new") == digest(cluster, "jobs_one")
    assert cluster.sql("SELECT count(*) FROM jobs_new")[0][0] == 6000
    assert leftovers(cluster) == ([], [])


def test_existing_table_loads_with_two_phase_commit(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "rows.csv"
    write_rows(f, 3000)
    cluster.sql("CREATE TABLE jobs_2pc (id int PRIMARY KEY, name text, note text)")
    cluster.sql("CREATE TABLE jobs_2pc_ref (id int PRIMARY KEY, name text, note text)")
    assert imp("-c", cfg, "-t", "jobs_2pc_ref", f).returncode == 0
    r = imp("-c", cfg, "-t", "jobs_2pc", "--jobs", 2, f, env=SMALL_CHUNKS)
    assert r.returncode == 0, r.stderr
    assert b"with 2 sessions (two-phase)" in r.stdout
    assert digest(cluster, "jobs_2pc") == digest(cluster, "jobs_2pc_ref")
    assert leftovers(cluster) == ([], [])


def test_a_bad_row_in_the_last_chunk_loads_nothing_and_names_its_line(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "rows.csv"
    starts = write_rows(f, 2000)
    bad = starts[1999]
    write_rows(f, 2000, bad_line=bad)
    cluster.sql("CREATE TABLE jobs_bad (id int, name text, note text)")
    r = imp("-c", cfg, "-t", "jobs_bad", "-j", 2, f, env=SMALL_CHUNKS)
    assert r.returncode == 1
    assert f"{f}:{bad}".encode() in r.stderr, r.stderr
    assert b"invalid input syntax for type integer" in r.stderr
    assert cluster.sql("SELECT count(*) FROM jobs_bad") == [(0,)]
    # A new table (its id column inferred from a sample that ends before the bad row): never created.
    starts = write_rows(f, 12000)
    write_rows(f, 12000, bad_line=starts[11999])
    r = imp("-c", cfg, "-t", "jobs_bad_new", "--infer-types", "-j", 2, f, env={"PGMONKEY_IMPORT_CHUNK_BYTES": "9000"})
    assert r.returncode == 1
    assert f"{f}:{starts[11999]}".encode() in r.stderr, r.stderr
    assert cluster.sql("SELECT to_regclass('jobs_bad_new')") == [(None,)]
    assert leftovers(cluster) == ([], [])


def test_a_bad_record_the_reader_finds_names_its_line(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "rows.csv"
    starts = write_rows(f, 2000)
    data = f.read_bytes().split(b"\n")
    data[starts[1500] - 1] += b",extra"
    f.write_bytes(b"\n".join(data))
    r = imp("-c", cfg, "-t", "jobs_reader_bad", "-j", 2, f, env=SMALL_CHUNKS)
    assert r.returncode == 1
    assert f"{f}:{starts[1500]}: expected 3 fields, found 4".encode() in r.stderr, r.stderr
    assert cluster.sql("SELECT to_regclass('jobs_reader_bad')") == [(None,)]
    assert leftovers(cluster) == ([], [])


def test_a_duplicate_key_across_sessions_fails_instead_of_waiting(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "rows.csv"
    starts = write_rows(f, 3000)
    f.write_bytes(f.read_bytes() + b"5,again,dup\n")
    cluster.sql("CREATE TABLE jobs_dup (id int PRIMARY KEY, name text, note text)")
    r = imp("-c", cfg, "-t", "jobs_dup", "-j", 2, f, env=SMALL_CHUNKS)
    assert r.returncode == 1
    err = r.stderr.decode()
    line = max(starts.values()) + 1  # the last record (3000) is one line
    assert f"{f}:{line}" in err or f"{f}:{starts[5]}" in err, err
    assert cluster.sql("SELECT count(*) FROM jobs_dup") == [(0,)]
    assert leftovers(cluster) == ([], [])


def big_file(tmp_path, rows=800000):
    f = tmp_path / "big.csv"
    with open(f, "w") as out:
        out.write("id,name,note\n")
        for i in range(rows):
            out.write(f"{i},name {i},some longer text for row {i} to make the file bigger\n")
    return f


def wait_for_copy(cluster, proc, sessions):
    """The pids of `sessions` loading sessions, once each has been seen in a COPY (not
    necessarily at the same instant: between chunks a session is briefly idle)."""
    deadline = time.time() + 60
    seen = []
    while time.time() < deadline:
        for (p,) in cluster.sql("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgimport' "
                                "AND query LIKE 'COPY%' AND state = 'active'"):
            if p not in seen:
                seen.append(p)
        if len(seen) >= sessions:
            return seen
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError("the sessions never started copying")


def test_a_terminated_session_rolls_back_every_session(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = big_file(tmp_path)
    cluster.sql("CREATE TABLE jobs_term (id int, name text, note text)")
    for table in ("jobs_term", "jobs_term_new"):
        p = start("-c", cfg, "-t", table, "-j", 2, f, env={"PGMONKEY_IMPORT_CHUNK_BYTES": "65536"})
        pids = wait_for_copy(cluster, p, 2)
        cluster.sql("SELECT pg_terminate_backend(%s)", (pids[-1],))
        out, err = p.communicate(timeout=120)
        assert p.returncode == 1, err
        assert b"lost the connection" in err or b"terminating connection" in err, err
        assert leftovers(cluster) == ([], [])
    assert cluster.sql("SELECT count(*) FROM jobs_term") == [(0,)]
    assert cluster.sql("SELECT to_regclass('jobs_term_new')") == [(None,)]


def test_ctrl_c_rolls_back_every_session(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = big_file(tmp_path)
    cluster.sql("CREATE TABLE jobs_int (id int, name text, note text)")
    for table, sig in (("jobs_int", signal.SIGINT), ("jobs_int_new", signal.SIGTERM)):
        p = start("-c", cfg, "-t", table, "-j", 2, f, env={"PGMONKEY_IMPORT_CHUNK_BYTES": "65536"})
        wait_for_copy(cluster, p, 2)
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        assert p.returncode == 130, err
        assert leftovers(cluster) == ([], [])
    assert cluster.sql("SELECT count(*) FROM jobs_int") == [(0,)]
    assert cluster.sql("SELECT to_regclass('jobs_int_new')") == [(None,)]


def test_a_killed_run_leaves_its_hidden_table_under_load_marks_name(cluster, tmp_path):
    # What pgimport --recover looks for: pgmonkey_load_<pid>_<start>_<table>, and no prepared
    # transaction before the sessions are done.
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = big_file(tmp_path)
    before = time.time()
    p = start("-c", cfg, "-t", "jobs_killed", "-j", 2, f, env={"PGMONKEY_IMPORT_CHUNK_BYTES": "65536"})
    wait_for_copy(cluster, p, 2)
    p.kill()
    p.communicate()
    rows = cluster.sql("SELECT relname FROM pg_class WHERE relname LIKE 'pgmonkey_load_%'")
    assert len(rows) == 1
    pid, started, table = rows[0][0].removeprefix("pgmonkey_load_").split("_", 2)
    assert int(pid) == p.pid and table == "jobs_killed" and before - 2 <= int(started) <= time.time()
    assert cluster.sql("SELECT gid FROM pg_prepared_xacts") == []
    assert cluster.sql("SELECT to_regclass('jobs_killed')") == [(None,)]
    cluster.sql(f'DROP TABLE "{rows[0][0]}"')


def test_too_few_prepared_transactions_falls_back_to_one_session(tmp_path):
    c = start_cluster("--set", "max_prepared_transactions=0")
    try:
        assert c.settings()["max_prepared_transactions"] == "0"
        cfg = c.write_config(tmp_path / "conn.yaml")
        f = tmp_path / "rows.csv"
        starts = write_rows(f, 500)
        c.sql("CREATE TABLE t (id int, name text, note text)")
        r = imp("-c", cfg, "-t", "t", "-j", 2, f, "--format", "json", env=SMALL_CHUNKS)
        assert r.returncode == 0, r.stderr
        assert b"max_prepared_transactions" in r.stderr and b"one session" in r.stderr
        doc = json.loads(r.stdout)
        assert doc["jobs"] == 1 and doc["method"] == "single"
        assert c.sql("SELECT count(*) FROM t") == [(500,)]
        # Still all or nothing: a bad last row loads nothing.
        write_rows(f, 500, bad_line=starts[500])
        r = imp("-c", cfg, "-t", "t", "-j", 2, f, env=SMALL_CHUNKS)
        assert r.returncode == 1 and f"{f}:{starts[500]}".encode() in r.stderr
        assert c.sql("SELECT count(*) FROM t") == [(500,)]
        # A new table needs no prepared transactions.
        r = imp("-c", cfg, "-t", "t_new", "-j", 2, f, "--format", "json", env=SMALL_CHUNKS)
        assert json.loads(r.stdout)["method"] == "rename", r.stderr
    finally:
        c.stop()


def test_truncate_on_an_existing_table_uses_one_session_and_says_why(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "rows.csv"
    write_rows(f, 100)
    cluster.sql("CREATE TABLE jobs_trunc (id int, name text, note text)")
    cluster.sql("INSERT INTO jobs_trunc VALUES (-1, 'old', 'old')")
    r = imp("-c", cfg, "-t", "jobs_trunc", "-j", 2, "--truncate", f, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert b"--truncate on an existing table" in r.stderr
    assert json.loads(r.stdout)["method"] == "single"
    assert cluster.sql("SELECT count(*), min(id) FROM jobs_trunc") == [(100, 1)]


def test_dry_run_shows_the_method_and_changes_nothing(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "rows.csv"
    write_rows(f, 100)
    r = imp("-c", cfg, "-t", "jobs_dry", "-j", 2, "--dry-run", f)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "plan: 2 sessions, method rename" in out and "RENAME TO public.jobs_dry" in out
    cluster.sql("CREATE TABLE jobs_dry2 (id int, name text, note text)")
    r = imp("-c", cfg, "-t", "jobs_dry2", "-j", 2, "--dry-run", f, "--format", "json")
    assert json.loads(r.stdout)["plan"]["method"] == "two-phase"
    assert cluster.sql("SELECT to_regclass('jobs_dry')") == [(None,)]
    assert leftovers(cluster) == ([], [])


BAD = [b"x,1,2024-01-01,a\n",                    # bigint
       b"{i},1,2024-13-01,b\n",                # date
       b"{i},1,2024-01-01\n",                  # field count (client)
       b'{i},1,2024-01-01,"c\nd",extra\n',     # field count, two lines
       b"{i},-5,2024-01-01,e\n",               # CHECK
       b"{i},1,2024-01-01,n\x00l\n",           # NUL (client)
       b"{i},1,2024-01-01,\xffx\n",            # bad UTF-8 (client)
       b"{i},abc,2024-01-01,f\n"]              # integer


def write_dirty(path, n, every=97):
    out = [b"id,amount,day,note\n"]
    for i in range(1, n + 1):
        if i % every == 0:
            out.append(BAD[(i // every) % len(BAD)].replace(b"{i}", str(i).encode()))
        elif i % 11 == 0:
            out.append(f'{i},{i % 50},2024-01-{i % 28 + 1:02d},"two\nlines ü€"\n'.encode())
        elif i % 13 == 0:
            out.append(b"\n")  # a blank line, skipped
        else:
            out.append(f"{i},{i % 50},2024-01-{i % 28 + 1:02d},note 𝄞 {i}\n".encode())
    path.write_bytes(b"".join(out))


def test_max_errors_with_jobs_sets_aside_the_same_records_in_input_order(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "dirty.csv"
    write_dirty(f, 5000)
    ddl = "CREATE TABLE {} (id bigint PRIMARY KEY, amount int CHECK (amount >= 0), day date, note text)"
    cluster.sql(ddl.format("rej_one"))
    cluster.sql(ddl.format("rej_jobs"))
    one = imp("-c", cfg, "-t", "rej_one", "--max-errors", 100, "--reject-file", tmp_path / "one.csv", f,
              "--format", "json")
    assert one.returncode == 0, one.stderr
    r = imp("-c", cfg, "-t", "rej_jobs", "-j", 3, "--max-errors", 100, "--reject-file", tmp_path / "jobs.csv", f,
            "--format", "json", env={"PGMONKEY_IMPORT_CHUNK_BYTES": "3000"})
    assert r.returncode == 0, r.stderr
    a, b = json.loads(one.stdout), json.loads(r.stdout)
    assert b["method"] == "two-phase" and b["jobs"] == 3
    assert a["rejected"] == b["rejected"] > 40 and a["rows"] == b["rows"]
    assert (tmp_path / "jobs.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
    log_one = (tmp_path / "one.csv.log").read_text().replace("one.csv", "X")
    log_jobs = (tmp_path / "jobs.csv.log").read_text().replace("jobs.csv", "X").replace("rej_jobs", "rej_one")
    assert log_jobs == log_one
    assert cluster.sql("SELECT count(*), sum(id) FROM rej_jobs") == cluster.sql("SELECT count(*), sum(id) FROM rej_one")
    assert leftovers(cluster) == ([], [])


def test_max_errors_with_jobs_over_the_limit_loads_nothing_and_writes_the_rejects(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "dirty.csv"
    write_dirty(f, 3000)
    r = imp("-c", cfg, "-t", "rej_over", "-j", 2, "--max-errors", 5, f, env={"PGMONKEY_IMPORT_CHUNK_BYTES": "3000"})
    assert r.returncode == 1
    assert b"more than 5 records rejected (--max-errors 5)" in r.stderr, r.stderr
    rej = tmp_path / "dirty.rejects.csv"
    assert rej.exists() and len((tmp_path / "dirty.rejects.csv.log").read_text().splitlines()) >= 6
    assert cluster.sql("SELECT to_regclass('rej_over')") == [(None,)]
    assert leftovers(cluster) == ([], [])


def test_max_errors_with_jobs_and_several_files_is_a_usage_error(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f, g = tmp_path / "rows.csv", tmp_path / "more.csv"
    write_rows(f, 10)
    write_rows(g, 10)
    r = imp("-c", cfg, "-t", "jobs_rej", "-j", 2, "--max-errors", 5, f, g)
    assert r.returncode == 2 and b"--max-errors with --jobs takes one file" in r.stderr
    assert cluster.sql("SELECT to_regclass('jobs_rej')") == [(None,)]


def test_several_files_share_the_sessions(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_rows(a, 3000)
    starts = write_rows(b, 2000)
    subprocess.run(["gzip", "-k", str(a)], check=True)
    gz = tmp_path / "a.csv.gz"
    one = imp("-c", cfg, "-t", "files_one", gz, b)
    assert one.returncode == 0, one.stderr
    r = imp("-c", cfg, "-t", "files_new", "-j", 2, gz, b, "--format", "json", env=SMALL_CHUNKS)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["jobs"] == 2 and doc["method"] == "rename" and doc["rows"] == 5000
    assert [f["rows"] for f in doc["files"]] == [3000, 2000]
    assert cluster.sql("SELECT count(*) FROM files_new") == [(5000,)]
    assert cluster.sql("SELECT count(*), count(DISTINCT (id, name, note)) FROM files_one") == \
        cluster.sql("SELECT count(*), count(DISTINCT (id, name, note)) FROM files_new")
    cluster.sql("CREATE TABLE files_old (id int, name text, note text)")
    r = imp("-c", cfg, "-t", "files_old", "-j", 2, gz, b, env=SMALL_CHUNKS)
    assert r.returncode == 0, r.stderr
    assert b"with 2 sessions (two-phase)" in r.stdout
    assert cluster.sql("SELECT count(*) FROM files_old") == [(5000,)]
    # A bad row in the second file: nothing of either file, its own name and line.
    write_rows(b, 2000, bad_line=starts[1000])
    r = imp("-c", cfg, "-t", "files_old", "-j", 2, gz, b, env=SMALL_CHUNKS)
    assert r.returncode == 1
    assert f"{b}:{starts[1000]}".encode() in r.stderr, r.stderr
    assert cluster.sql("SELECT count(*) FROM files_old") == [(5000,)]
    r = imp("-c", cfg, "-t", "files_new2", "--infer-types", "-j", 2, gz, b, env=SMALL_CHUNKS)
    assert r.returncode == 1 and f"{b}:{starts[1000]}".encode() in r.stderr
    assert cluster.sql("SELECT to_regclass('files_new2')") == [(None,)]
    assert leftovers(cluster) == ([], [])


def stopped(proc):
    """Waits until the process has stopped itself (PGMONKEY_TEST_STOP_AT)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        with open(f"/proc/{proc.pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "T":
                return
        time.sleep(0.02)
    raise AssertionError("pgimport never reached its stop point")


def sessions_gone(cluster):
    deadline = time.time() + 30
    while cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgimport'") != [(0,)]:
        assert time.time() < deadline, "the killed run's sessions did not end"
        time.sleep(0.05)


@pytest.mark.parametrize("stop_at, parts_left, loaded", [
    ("prepared-1", 1, False),   # died while preparing: part 1 of 2 prepared, rolled back
    ("prepared", 2, True),      # every part prepared: the run was decided, committed
    ("committed-1", 1, True),   # died while committing: part 1 in, part 2 committed by --recover
])
def test_a_run_killed_between_prepare_and_commit_is_finished_by_recover(cluster, tmp_path, stop_at, parts_left,
                                                                         loaded):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = tmp_path / "rows.csv"
    write_rows(f, 3000)
    table = "jobs_crash_" + stop_at.replace("-", "_")
    cluster.sql(f"CREATE TABLE {table} (id int, name text, note text)")
    p = start("-c", cfg, "-t", table, "-j", 2, f, env={**SMALL_CHUNKS, "PGMONKEY_TEST_STOP_AT": stop_at})
    stopped(p)
    p.kill()
    p.communicate()
    sessions_gone(cluster)
    gids = [g for (g,) in cluster.sql("SELECT gid FROM pg_prepared_xacts ORDER BY gid")]
    assert len(gids) == parts_left, gids
    assert all(g.startswith(f"pgmonkey-pgimport:{p.pid}:") for g in gids), gids

    # A normal import sees the leftovers and says what to run.
    other = tmp_path / "other.csv"
    other.write_text("id,name,note\n1,a,b\n")
    cluster.sql(f"CREATE TABLE {table}_other (id int, name text, note text)")
    warned = imp("-c", cfg, "-t", f"{table}_other", other)
    assert warned.returncode == 0, warned.stderr
    assert b"pgimport --recover" in warned.stderr, warned.stderr

    r = subprocess.run([str(BIN / "pgimport"), "-c", str(cfg), "--recover"], env=clean_env(), capture_output=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT gid FROM pg_prepared_xacts") == []
    cluster.sql(f"CREATE TABLE {table}_ref (id int, name text, note text)")
    one = imp("-c", cfg, "-t", f"{table}_ref", f)
    assert one.returncode == 0, one.stderr
    if loaded:
        assert digest(cluster, table) == digest(cluster, f"{table}_ref")
    else:
        assert cluster.sql(f"SELECT count(*) FROM {table}") == [(0,)]


def test_a_killed_new_table_run_is_cleaned_up_by_recover(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    f = big_file(tmp_path)
    p = start("-c", cfg, "-t", "jobs_killed_new", "-j", 2, f, env={"PGMONKEY_IMPORT_CHUNK_BYTES": "65536"})
    wait_for_copy(cluster, p, 2)
    p.kill()
    p.communicate()
    sessions_gone(cluster)
    assert len(cluster.sql("SELECT relname FROM pg_class WHERE relname LIKE 'pgmonkey_load_%'")) == 1
    r = subprocess.run([str(BIN / "pgimport"), "-c", str(cfg), "--recover"], env=clean_env(), capture_output=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert leftovers(cluster) == ([], [])
    assert cluster.sql("SELECT to_regclass('jobs_killed_new')") == [(None,)]
