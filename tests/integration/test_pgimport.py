"""pgimport against a real throw-away cluster: encodings, dialects, tables, errors, all-or-nothing."""
import json
import os
import pty
import signal
import subprocess
import time

import pytest

from conftest import BIN, clean_env

SAMPLES = {  # encoding → text in its repertoire
    "UTF-8": "héllo wörld ✓ 日本",
    "ISO-8859-1": "café naïve Zürich",
    "ISO-8859-2": "Łódź, žluťoučký kůň",
    "ISO-8859-7": "Καλημέρα κόσμε",
    "WINDOWS-1252": "café “quoted” €5",
    "WINDOWS-1250": "Łódź, žluťoučký",
    "WINDOWS-1251": "Привет, мир",
    "KOI8-R": "Привет, мир",
    "SHIFT_JIS": "こんにちは世界、日本語",
    "EUC-JP": "こんにちは世界、日本語",
    "GB18030": "你好世界，中文",
    "BIG5": "你好世界，中文",
    "EUC-KR": "안녕하세요 세계",
}
BOMS = {"UTF-8-BOM": ("UTF-8", b"\xef\xbb\xbf"), "UTF-16LE": ("UTF-16LE", b"\xff\xfe"),
        "UTF-16BE": ("UTF-16BE", b"\xfe\xff")}
# Detected reliably from a small file; the single-byte Latin family needs --encoding.
DETECTABLE = {"UTF-8", "WINDOWS-1251", "KOI8-R", "SHIFT_JIS", "EUC-JP", "GB18030", "BIG5", "ISO-8859-7"}


@pytest.fixture
def cfg(cluster, tmp_path):
    return cluster.write_config(tmp_path / "conn.yaml")


def imp(run, cfg, *args, **kw):
    return run("pgimport", "-c", cfg, "--progress", "never", *args, **kw)


def rows(cluster, sql):
    return cluster.sql(sql)


def csv_text(text_rows):
    return "".join(line + "\n" for line in text_rows)


def test_create_table_summary_and_json(cluster, run, cfg, tmp_path):
    f = tmp_path / "people.csv"
    f.write_text('id,First Name,note\n1,Anna,"hello, world"\n2,Bö,"multi\nline ""q"""\n')
    r = imp(run, cfg, "--table", "people_a", f, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["rows"] == 2 and doc["table"] == "public.people_a" and doc["created"] is True
    assert "'First Name' → first_name text" in r.stderr
    assert "header yes (detected)" in r.stderr
    assert rows(cluster, "SELECT id, first_name, note FROM people_a ORDER BY id") == [
        ("1", "Anna", "hello, world"), ("2", "Bö", 'multi\nline "q"')]


@pytest.mark.parametrize("enc", sorted(SAMPLES) + sorted(BOMS))
def test_encodings_land_as_the_same_text(cluster, run, cfg, tmp_path, enc):
    name, bom = BOMS.get(enc, (enc, b""))
    text = SAMPLES.get(name, "héllo wörld ✓ 日本")
    source = f'id,txt\n1,"{text}"\n2,plain\n'
    data = bom + subprocess.run(["iconv", "-f", "UTF-8", "-t", name], input=source.encode(),
                                capture_output=True, check=True).stdout
    f = tmp_path / "enc.csv"
    f.write_bytes(data)
    table = "enc_" + enc.replace("-", "_").lower()
    args = [] if (enc in DETECTABLE or enc in BOMS) else ["--encoding", name]
    r = imp(run, cfg, "--table", table, f, *args)
    assert r.returncode == 0, r.stderr
    # Shift_JIS and Big5 are read as Microsoft's code pages 932 and 950, PostgreSQL's SJIS and BIG5.
    shown = {"SHIFT_JIS": "CP932", "BIG5": "CP950"}.get(name, name)
    if args:
        assert f"encoding: {shown} (set by you)" in r.stderr
    else:
        assert f"encoding: {shown} (detected: " in r.stderr
    assert rows(cluster, f"SELECT txt FROM {table} WHERE id = '1'") == [(text,)]


@pytest.mark.parametrize("data,flags", [
    ("a,b\n1,x\n2,y\n", []),
    ("a;b\n1;x\n2;y\n", []),
    ("a\tb\n1\tx\n2\ty\n", []),
    ("a|b\n1|x\n2|y\n", []),
    ("a,b\r\n1,x\r\n2,y\r\n", []),
    ("a,b\r1,x\r2,y\r", []),
    ("\n\n\na,b\n1,x\n\n2,y", []),
    ("a,b\n1,x\n2,y\n", ["--delimiter", ","]),
    ("a:b\n1:x\n2:y\n", ["--delimiter", ":"]),
    ("a,b\n1,'x'\n2,y\n", ["--quote", "'"]),
])
def test_dialects(cluster, run, cfg, tmp_path, data, flags):
    f = tmp_path / "d.csv"
    f.write_bytes(data.encode())
    cluster.sql("DROP TABLE IF EXISTS dialect_t")
    r = imp(run, cfg, "--table", "dialect_t", f, *flags)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT a, b FROM dialect_t ORDER BY a") == [("1", "x"), ("2", "y")]
    assert "to reproduce: --delimiter" in r.stderr


def test_quoted_delimiters_quotes_and_newlines(cluster, run, cfg, tmp_path):
    f = tmp_path / "q.csv"
    f.write_bytes(b'a;b\r\n1;"x;y ""z""\r\nnext"\r\n2;\\.\r\n')
    r = imp(run, cfg, "--table", "quoted_t", f)
    assert r.returncode == 0, r.stderr
    assert "line endings CRLF" in r.stderr
    assert rows(cluster, "SELECT a, b FROM quoted_t ORDER BY a") == [("1", 'x;y "z"\r\nnext'), ("2", "\\.")]


def test_null_versus_empty_string(cluster, run, cfg, tmp_path):
    f = tmp_path / "n.csv"
    f.write_text('id,v\n1,\n2,""\n3,NA\n')
    assert imp(run, cfg, "--table", "null_a", f).returncode == 0
    assert rows(cluster, "SELECT id, v FROM null_a ORDER BY id") == [("1", None), ("2", ""), ("3", "NA")]
    assert imp(run, cfg, "--table", "null_b", f, "--null", "NA").returncode == 0
    assert rows(cluster, "SELECT id, v FROM null_b ORDER BY id") == [("1", ""), ("2", ""), ("3", None)]
    assert imp(run, cfg, "--table", "null_c", f, "--empty-as-null").returncode == 0
    assert rows(cluster, "SELECT id, v FROM null_c ORDER BY id") == [("1", None), ("2", None), ("3", "NA")]
    assert imp(run, cfg, "--table", "null_d", f, "--force-not-null", "v").returncode == 0
    assert rows(cluster, "SELECT id, v FROM null_d ORDER BY id") == [("1", ""), ("2", ""), ("3", "NA")]


def test_header_normalisation(cluster, run, cfg, tmp_path):
    f = tmp_path / "h.csv"
    f.write_text('First Name,first_name,,1st,Größe (cm),' + "x" * 70 + "\na,b,c,d,e,f\n")
    r = imp(run, cfg, "--table", "norm_t", f)
    assert r.returncode == 0, r.stderr
    cols = [c for (c,) in rows(cluster, "SELECT attname FROM pg_attribute WHERE attrelid = 'norm_t'::regclass "
                                        "AND attnum > 0 ORDER BY attnum")]
    assert cols == ["first_name", "first_name_2", "col_3", "col_1st", "größe_cm", "x" * 63]
    assert "'Größe (cm)' → größe_cm text" in r.stderr
    r = imp(run, cfg, "--table", "norm_k", f, "--keep-case")
    assert r.returncode == 0, r.stderr
    assert rows(cluster, 'SELECT "First_Name" FROM norm_k') == [("a",)]


def test_match_by_name_any_order_defaults_and_unknown_column(cluster, run, cfg, tmp_path):
    cluster.sql("CREATE TABLE match_t (id int, name text, created text DEFAULT 'dflt', n int)")
    f = tmp_path / "m.csv"
    f.write_text("N,Name,id\n5,ann,1\n")
    r = imp(run, cfg, "--table", "match_t", f)
    assert r.returncode == 0, r.stderr
    assert "take their defaults: created" in r.stderr
    assert rows(cluster, "SELECT id, name, created, n FROM match_t") == [(1, "ann", "dflt", 5)]
    f.write_text("id,nmae\n2,bob\n")
    r = imp(run, cfg, "--table", "match_t", f)
    assert r.returncode == 1
    assert "header column 'nmae' has no column in public.match_t" in r.stderr
    assert "did you mean 'name'?" in r.stderr
    assert rows(cluster, "SELECT count(*) FROM match_t") == [(1,)]


@pytest.mark.parametrize("encoding_flag", [[], ["--encoding", "UTF-8"]])
@pytest.mark.parametrize("data,line,what", [
    (b"id,v\n1,a\n2,b,c\n3,d\n", 3, "expected 2 fields, found 3"),
    ("id,v\n1,café crème brûlée à la française\n2,ünïcödé\n".encode() + b"3,\xff\n", 4, "invalid UTF-8"),
    (b'id,v\n1,a\n2,"b\n3,d\n', 3, "unterminated quoted field"),
    ("id,v\n1,naïve façade\n2,\"x\nünïcödé\"\n".encode() + b"3,\xff\n", 5, "invalid UTF-8"),
    (b"id,v\n1,a\n2,b\x00c\n", 3, "NUL byte"),
])
def test_bad_data_names_the_line_and_changes_nothing(cluster, run, cfg, tmp_path, data, line, what,
                                                     encoding_flag):
    cluster.sql("DROP TABLE IF EXISTS bad_t")
    cluster.sql("CREATE TABLE bad_t (id int, v text); INSERT INTO bad_t VALUES (9, 'old')")
    f = tmp_path / "bad.csv"
    f.write_bytes(data)
    r = imp(run, cfg, "--table", "bad_t", "--truncate", f, *encoding_flag)
    assert r.returncode == 1, r.stderr
    assert f"error: {f}:{line}: " in r.stderr and what in r.stderr
    assert "rolled back" in r.stderr
    assert rows(cluster, "SELECT id, v FROM bad_t") == [(9, "old")]


def test_bad_data_in_a_new_table_leaves_no_table(cluster, run, cfg, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("a,b\n1,2\n3\n")
    r = imp(run, cfg, "--table", "never_created", f)
    assert r.returncode == 1
    assert rows(cluster, "SELECT to_regclass('never_created') IS NULL") == [(True,)]


def test_empty_and_header_only_files(cluster, run, cfg, tmp_path):
    f = tmp_path / "empty.csv"
    f.write_text("")
    r = imp(run, cfg, "--table", "empty_t", f)
    assert r.returncode == 1 and "is empty" in r.stderr
    f.write_text("a,b\n")
    r = imp(run, cfg, "--table", "header_only_t", f)
    assert r.returncode == 0, r.stderr
    assert "imported 0 rows" in r.stdout
    assert rows(cluster, "SELECT count(*) FROM header_only_t") == [(0,)]


def test_injection_shaped_table_names_are_harmless(cluster, run, cfg, tmp_path):
    cluster.sql("CREATE TABLE victim (x int); INSERT INTO victim VALUES (1)")
    f = tmp_path / "i.csv"
    f.write_text("a\n1\n")
    r = imp(run, cfg, "--table", "t; DROP TABLE victim; --", f)
    assert r.returncode == 2 and "invalid table name" in r.stderr
    r = imp(run, cfg, "--table", '"t""; DROP TABLE victim; --"', f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT count(*) FROM victim") == [(1,)]
    assert rows(cluster, """SELECT a FROM "t""; DROP TABLE victim; --\"""") == [("1",)]


def test_quoted_schema_with_a_dot(cluster, run, cfg, tmp_path):
    cluster.sql('CREATE SCHEMA "my.schema"')
    f = tmp_path / "s.csv"
    f.write_text("a\n1\n")
    r = imp(run, cfg, "--table", '"my.schema"."T"', f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, 'SELECT a FROM "my.schema"."T"') == [("1",)]


def test_unique_violation_after_truncate_is_rolled_back_and_names_the_line(cluster, run, cfg, tmp_path):
    cluster.sql("CREATE TABLE uniq_t (id int PRIMARY KEY, v text); INSERT INTO uniq_t VALUES (1, 'keep')")
    f = tmp_path / "u.csv"
    body = ["id,v"] + [f"{i},row{i}" for i in range(1, 200)]
    body[50] = '50,"multi\nline"'   # a quoted newline before the failure shifts COPY's count
    body.insert(120, "")            # and so does a skipped blank line
    body.append("7,dup")
    f.write_text(csv_text(body))
    r = imp(run, cfg, "--table", "uniq_t", "--truncate", f)
    assert r.returncode == 1
    dup_line = len(body) + 1  # one extra physical line from the multi-line field
    assert f"{f}:{dup_line}: duplicate key value violates unique constraint" in r.stderr
    assert rows(cluster, "SELECT id, v FROM uniq_t") == [(1, "keep")]


def test_infer_types_and_a_late_bad_value(cluster, run, cfg, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("flag,n,amount,day,zip\ntrue,1,1.5,2024-01-02,01234\nno,2,3,2024-01-03,00001\n")
    r = imp(run, cfg, "--table", "typed_t", "--infer-types", f)
    assert r.returncode == 0, r.stderr
    types = rows(cluster, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                          "WHERE attrelid = 'typed_t'::regclass AND attnum > 0 ORDER BY attnum")
    assert [t for (t,) in types] == ["boolean", "bigint", "numeric", "date", "text"]
    # Past the sniffed sample a value does not fit the inferred type.
    lines = ["n,label"] + [f"{i},label number {i} padding padding padding" for i in range(20000)]
    lines.append("oops,last")
    f.write_text(csv_text(lines))
    r = imp(run, cfg, "--table", "typed_late", "--infer-types", f)
    assert r.returncode == 1
    assert f"{f}:{len(lines)}, column n: invalid input syntax for type bigint" in r.stderr
    assert rows(cluster, "SELECT to_regclass('typed_late') IS NULL") == [(True,)]


def test_dry_run_changes_nothing(cluster, run, cfg, tmp_path):
    f = tmp_path / "dry.csv"
    f.write_text("a,b\n1,2\n")
    r = imp(run, cfg, "--table", "dry_t", "--dry-run", f)
    assert r.returncode == 0, r.stderr
    assert 'CREATE TABLE "dry_t" ("a" text, "b" text);' in r.stdout
    assert "COPY \"dry_t\"" in r.stdout and "nothing was changed" in r.stdout
    assert rows(cluster, "SELECT to_regclass('dry_t') IS NULL") == [(True,)]
    cluster.sql("CREATE TABLE dry_u (a int, b int); INSERT INTO dry_u VALUES (7, 7)")
    r = imp(run, cfg, "--table", "dry_u", "--truncate", "--dry-run", f)
    assert r.returncode == 0, r.stderr
    assert 'TRUNCATE "dry_u";' in r.stdout and "checked 1 row" in r.stdout and "not the values" in r.stdout
    assert rows(cluster, "SELECT a, b FROM dry_u") == [(7, 7)]


def test_no_create_refuses_a_missing_table(cluster, run, cfg, tmp_path):
    f = tmp_path / "nc.csv"
    f.write_text("a\n1\n")
    r = imp(run, cfg, "--table", "nc_t", "--no-create", f)
    assert r.returncode == 1 and "does not exist" in r.stderr


def test_sidecar_import_config_and_write_import_config(cluster, run, cfg, tmp_path):
    f = tmp_path / "side.csv"
    f.write_bytes("1|caf\xe9\n2|b\n".encode("latin-1"))
    r = run("pgimport", "--write-import-config", f, "--encoding", "latin1", "--no-header")
    assert r.returncode == 0, r.stderr
    side = tmp_path / "side.yaml"
    text = side.read_text()
    assert 'delimiter: "|"' in text and "has_headers: false" in text and "ISO-8859-1" in text
    assert "nothing was imported" in r.stdout
    r = run("pgimport", "--write-import-config", f)
    assert r.returncode == 2 and "already exists" in r.stderr
    r = imp(run, cfg, "--table", "side_t", f)
    assert r.returncode == 0, r.stderr
    assert f"import config: {side}" in r.stderr
    assert f"encoding: ISO-8859-1 (from {side})" in r.stderr and f"delimiter '|' (from {side})" in r.stderr
    assert rows(cluster, "SELECT col_1, col_2 FROM side_t ORDER BY 1") == [("1", "café"), ("2", "b")]
    # Flags override the sidecar.
    side.write_text('has_headers: true\ndelimiter: ","\nenforce_lowercase: false\n')
    g = tmp_path / "other.yaml"
    g.write_text('has_headers: true\ndelimiter: ";"\nenforce_lowercase: false\nauto_create_table: true\n')
    h = tmp_path / "o.csv"
    h.write_text("Aa;B\n1;2\n")
    r = imp(run, cfg, "--table", "side_u", h, "--import-config", g)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, 'SELECT "Aa", "B" FROM side_u') == [("1", "2")]


def test_standard_input(cluster, run, cfg):
    r = imp(run, cfg, "--table", "stdin_t", "-", input="a,b\n1,2\n")
    assert r.returncode == 0, r.stderr
    assert "standard input" in r.stdout
    assert rows(cluster, "SELECT a, b FROM stdin_t") == [("1", "2")]


def test_could_not_connect_is_exit_3(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "bad.yaml", port=1, connect_timeout=2)
    f = tmp_path / "x.csv"
    f.write_text("a\n1\n")
    r = run("pgimport", "-c", cfg, "--table", "x", f)
    assert r.returncode == 3, r.stderr


def start_streaming_import(cfg, table):
    """Starts pgimport reading stdin and feeds it until its COPY is running on the server."""
    proc = subprocess.Popen([str(BIN / "pgimport"), "-c", str(cfg), "--progress", "never", "--table", table,
                             "--truncate", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=clean_env())
    proc.stdin.write(b"id,v\n")
    chunk = "".join(f"{i},value {i}\n" for i in range(1000, 21000)).encode()
    proc.stdin.write(chunk * 30)  # more than one sniff sample, so COPY starts
    proc.stdin.flush()
    return proc


def wait_for_copy(cluster):
    for _ in range(200):
        found = cluster.sql("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgimport' "
                            "AND query LIKE 'COPY%'")
        if found:
            return found[0][0]
        time.sleep(0.05)
    raise AssertionError("pgimport's COPY never started")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_mid_copy_rolls_back_and_exits_130(cluster, cfg, sig):
    cluster.sql("DROP TABLE IF EXISTS sigint_t")
    cluster.sql("CREATE TABLE sigint_t (id int, v text); INSERT INTO sigint_t VALUES (1, 'keep')")
    proc = start_streaming_import(cfg, "sigint_t")
    wait_for_copy(cluster)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert b"interrupted" in err
    assert rows(cluster, "SELECT id, v FROM sigint_t") == [(1, "keep")]


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_with_a_stopped_backend_exits_130_in_bounded_time(cluster, cfg, presses):
    """The server does not answer the cancel: wait a few seconds, then drop the connection; a
    second Ctrl-C does not wait at all."""
    cluster.sql("DROP TABLE IF EXISTS stopped_t")
    cluster.sql("CREATE TABLE stopped_t (id int, v text); INSERT INTO stopped_t VALUES (1, 'keep')")
    proc = start_streaming_import(cfg, "stopped_t")
    pid = wait_for_copy(cluster)
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(0.3)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        if presses == 2:
            time.sleep(0.3)
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        os.kill(pid, signal.SIGCONT)
    assert proc.returncode == 130, err.decode()
    assert b"interrupted" in err
    assert elapsed < (10 if presses == 1 else 2), elapsed
    assert rows(cluster, "SELECT id, v FROM stopped_t") == [(1, "keep")]


def test_ctrl_c_clears_the_progress_bar_before_the_message(cluster, cfg):
    """On a terminal the bar is wiped before "interrupted" is said: no "^C" glued to a bar."""
    cluster.sql("DROP TABLE IF EXISTS bar_t")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([str(BIN / "pgimport"), "-c", str(cfg), "--table", "bar_t", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=terminal, env=clean_env())
    os.close(terminal)
    shown = b""
    try:
        proc.stdin.write(b"id,v\n")
        chunk = "".join(f"{i},value {i}\n" for i in range(20000)).encode()
        for _ in range(8):  # slowly enough for the bar to be drawn
            proc.stdin.write(chunk)
            proc.stdin.flush()
            time.sleep(0.2)
        wait_for_copy(cluster)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO once the terminal side is closed and drained
                break
            if not data:
                break
            shown += data
    finally:
        os.close(controller)
    assert proc.returncode == 130, shown
    assert b" rows " in shown  # the bar was there
    assert b"\r\x1b[Kpgimport: error: interrupted" in shown, shown[-300:]


def test_backend_killed_mid_copy_rolls_back(cluster, cfg):
    cluster.sql("CREATE TABLE killed_t (id int, v text); INSERT INTO killed_t VALUES (1, 'keep')")
    proc = start_streaming_import(cfg, "killed_t")
    pid = wait_for_copy(cluster)
    cluster.sql("SELECT pg_terminate_backend(%s)", (pid,))
    try:
        proc.stdin.write(b"5,more\n" * 100000)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    proc.wait(timeout=60)
    err = proc.stderr.read().decode()
    assert proc.returncode == 1, err
    assert "lost the connection to the server" in err
    assert rows(cluster, "SELECT id, v FROM killed_t") == [(1, "keep")]


def test_error_in_an_old_multi_line_record(cluster, run, cfg, tmp_path):
    """The failing record is long gone from the recent-records ring: a file is read a second time
    to find where it starts; standard input reports the line it ends on."""
    cluster.sql("CREATE TABLE old_err (id int, v text)")
    body = 'id,v\n1,ok\nx,"two\nlines"\n' + "".join(f"{i},v\n" for i in range(200000))
    f = tmp_path / "old.csv"
    f.write_text(body)
    r = imp(run, cfg, "--table", "old_err", f)
    assert r.returncode == 1
    assert f"{f}:3, column id: invalid input syntax for type integer" in r.stderr
    r = imp(run, cfg, "--table", "old_err", "-", input=body)
    assert r.returncode == 1
    assert "standard input:4 (the record ending on this line), column id" in r.stderr
    assert rows(cluster, "SELECT count(*) FROM old_err") == [(0,)]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_error_line_after_multi_line_records(cluster, run, cfg, tmp_path, eol):
    """COPY counts quoted line breaks from the second record on (for the first it does not know
    the line-ending kind yet); the reported file line must still be right."""
    cluster.sql("DROP TABLE IF EXISTS ml_err")
    cluster.sql("CREATE TABLE ml_err (id int, v text)")
    lines = ["id,v", '1,"a', 'b"', "2,ok", '3,"c', "d", 'e"', "", "4,ok", "oops,x", "5,ok"]
    f = tmp_path / "ml.csv"
    f.write_bytes(eol.join(lines).encode() + eol.encode())
    r = imp(run, cfg, "--table", "ml_err", f)
    assert r.returncode == 1
    assert f"{f}:10, column id: invalid input syntax for type integer" in r.stderr


def test_pgmonkey_spellings_and_literal_sidecar_name(cluster, run, cfg, tmp_path):
    f = tmp_path / "lit.csv"
    f.write_text("a;b\n1;2\n")
    (tmp_path / "lit.csv.yaml").write_text('delimiter: ";"\nhas_headers: false\n')
    r = run("pgimport", "--connconfig", cfg, "--table", "lit_t", "--import_file", f, "--progress", "never")
    assert r.returncode == 0, r.stderr
    side = tmp_path / "lit.csv.yaml"
    assert f"delimiter ';' (from {side}), quote '\"' (default), header no (from {side})" in r.stderr
    assert rows(cluster, "SELECT col_1, col_2 FROM lit_t ORDER BY 1") == [("1", "2"), ("a", "b")]


def test_ctrl_c_cancels_a_statement_waiting_for_a_lock(cluster, cfg, tmp_path):
    """Ctrl-C while TRUNCATE waits for another session's lock: the server-side cancel frees it."""
    cluster.sql("CREATE TABLE locked_t (a int); INSERT INTO locked_t VALUES (1)")
    f = tmp_path / "l.csv"
    f.write_text("a\n2\n")
    with cluster.connect() as holder:
        holder.autocommit = False
        holder.execute("LOCK TABLE locked_t IN ACCESS SHARE MODE")
        proc = subprocess.Popen([str(BIN / "pgimport"), "-c", str(cfg), "--progress", "never", "--table",
                                 "locked_t", "--truncate", str(f)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=clean_env())
        for _ in range(200):
            if cluster.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgimport' "
                           "AND wait_event_type = 'Lock'"):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("pgimport never waited for the lock")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        holder.rollback()
    assert proc.returncode == 130, err.decode()
    assert rows(cluster, "SELECT a FROM locked_t") == [(1,)]


def test_progress_always_and_quiet(cluster, run, cfg, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("a\n" + "x\n" * 1000)
    r = run("pgimport", "-c", cfg, "--table", "progress_t", f, "--progress", "always")
    assert r.returncode == 0, r.stderr
    assert "100% [" in r.stderr and "1000 rows" in r.stderr
    r = run("pgimport", "-c", cfg, "--table", "progress_q", f, "-q")
    assert r.returncode == 0 and r.stderr == ""
    assert "imported 1000 rows" in r.stdout


def test_copy_refused_at_its_start_is_a_clean_failure(cluster, run, cfg, tmp_path):
    # The server rejects the COPY statement itself: no privilege, or a generated column.
    cluster.sql("DROP TABLE IF EXISTS perm_t; DROP TABLE IF EXISTS gen_t; DROP ROLE IF EXISTS reader")
    cluster.sql("CREATE TABLE perm_t (a int); INSERT INTO perm_t VALUES (5)")
    cluster.sql("CREATE ROLE reader LOGIN PASSWORD 'readerpw'; GRANT SELECT ON perm_t TO reader")
    cluster.sql("CREATE TABLE gen_t (a int, g int GENERATED ALWAYS AS (a * 2) STORED)")
    reader = cluster.write_config(tmp_path / "reader.yaml", user="reader", password="readerpw")
    f = tmp_path / "p.csv"
    f.write_text("a\n1\n")
    r = imp(run, reader, "--table", "perm_t", f)
    assert r.returncode == 1, r.stderr
    assert "permission denied for table perm_t" in r.stderr
    assert rows(cluster, "SELECT a FROM perm_t") == [(5,)]
    g = tmp_path / "g.csv"
    g.write_text("a,g\n1,2\n")
    r = imp(run, cfg, "--table", "gen_t", g)
    assert r.returncode == 1, r.stderr
    assert "generated column" in r.stderr
    assert rows(cluster, "SELECT count(*) FROM gen_t") == [(0,)]


def test_header_guess_single_row_of_numbers_and_all_text(cluster, run, cfg, tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("42,17\n")
    r = imp(run, cfg, "--table", "one_row", one)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT * FROM one_row") == [("42", "17")]
    text = tmp_path / "text.csv"
    text.write_text("alice,paris\nbob,berlin\n")
    r = imp(run, cfg, "--table", "all_text", text)
    assert r.returncode == 0, r.stderr
    assert "could not tell from the data whether the first row is a header" in r.stderr
    assert "--no-header" in r.stderr
    r = imp(run, cfg, "--table", "all_text2", text, "--no-header")
    assert "could not tell" not in r.stderr
    assert rows(cluster, "SELECT count(*) FROM all_text2") == [(2,)]


def test_empty_header_fields_never_match_a_column(cluster, run, cfg, tmp_path):
    cluster.sql("DROP TABLE IF EXISTS excel_t; CREATE TABLE excel_t (name text, col_4 text)")
    f = tmp_path / "excel.csv"
    # A trailing empty header over empty values is a spreadsheet's trailing delimiter: not loaded,
    # and never guessed to be col_4.
    f.write_text("name;\r\nAlice;\r\nBob;\r\n")
    r = imp(run, cfg, "--table", "excel_t", f, "--delimiter", ";")
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT name, col_4 FROM excel_t ORDER BY name") == [("Alice", None), ("Bob", None)]
    # An empty header field with values under it (or one that is not last) matches nothing.
    g = tmp_path / "excel2.csv"
    g.write_text("name;\r\nAlice;x\r\n")
    r = imp(run, cfg, "--table", "excel_t", g, "--delimiter", ";")
    assert r.returncode == 1
    assert "header column 2 is empty" in r.stderr and "did you mean" not in r.stderr
    assert rows(cluster, "SELECT count(*) FROM excel_t") == [(2,)]


def test_config_statement_timeout_does_not_cut_the_copy_short(cluster, run, tmp_path):
    # pgconfig create writes statement_timeout 30 s for the application; a big load may take longer.
    conf = cluster.write_config(tmp_path / "st.yaml", sections={"sync_settings": {"statement_timeout": "100"}})
    cluster.sql("DROP TABLE IF EXISTS slow_load")
    cluster.sql("CREATE TABLE slow_load (id int)")
    cluster.sql("""CREATE OR REPLACE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS
                   $$ BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END $$""")
    cluster.sql("CREATE TRIGGER slow BEFORE INSERT ON slow_load FOR EACH ROW EXECUTE FUNCTION slow_row()")
    f = tmp_path / "slow.csv"
    f.write_text("id\n1\n2\n3\n4\n5\n")
    r = imp(run, conf, "-t", "slow_load", f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT count(*) FROM slow_load") == [(5,)]


def test_force_not_null_takes_one_value_and_leaves_the_file(cluster, run, cfg, tmp_path):
    f = tmp_path / "fnn.csv"
    f.write_text("a,b\n1,\n2,x\n")
    r = imp(run, cfg, "-t", "fnn_t", "--force-not-null", "b", f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT a, b FROM fnn_t ORDER BY a") == [("1", ""), ("2", "x")]


def test_system_column_names_are_renamed(cluster, run, cfg, tmp_path):
    f = tmp_path / "boxes.csv"
    f.write_text("label,xmin,ymin,xmax,ymax\ncat,1,2,3,4\n")
    r = imp(run, cfg, "-t", "boxes", f)
    assert r.returncode == 0, r.stderr
    assert "'xmin' → col_xmin text" in r.stderr
    assert rows(cluster, "SELECT label, col_xmin, ymin, col_xmax, ymax FROM boxes") == [("cat", "1", "2", "3", "4")]


def test_infer_types_respects_null_rules(cluster, run, cfg, tmp_path):
    f = tmp_path / "qe.csv"
    f.write_text('id,v,w\n1,10,NA\n2,"",5\n3,30,NA\n')
    r = imp(run, cfg, "-t", "qe_plain", "--infer-types", f)
    assert r.returncode == 0, r.stderr  # "" is an empty string: v stays text
    assert rows(cluster, "SELECT v FROM qe_plain ORDER BY id") == [("10",), ("",), ("30",)]
    r = imp(run, cfg, "-t", "qe_null", "--infer-types", "--null", "NA", f)
    assert r.returncode == 0, r.stderr
    types = rows(cluster, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                          "WHERE attrelid = 'qe_null'::regclass AND attnum > 0 ORDER BY attnum")
    assert [t for (t,) in types] == ["bigint", "text", "bigint"]
    assert rows(cluster, "SELECT w FROM qe_null ORDER BY id") == [(None,), (5,), (None,)]


@pytest.mark.parametrize("flags, message", [
    (["--null", ","], "--null must not contain the delimiter ','"),
    (["--null", '"'], "--null must not contain the quote character"),
    (["--null", "NA", "--empty-as-null"], "--empty-as-null works with the default NULL"),
])
def test_impossible_null_options_are_usage_errors(cluster, run, cfg, tmp_path, flags, message):
    f = tmp_path / "n.csv"
    f.write_text("a,b\n1,2\n")
    r = imp(run, cfg, "-t", "null_usage", f, *flags)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert rows(cluster, "SELECT to_regclass('null_usage') IS NULL") == [(True,)]


@pytest.mark.parametrize("enc", ["UTF-16LE", "UTF-16BE"])
def test_utf16_without_a_bom_is_detected(cluster, run, cfg, tmp_path, enc):
    f = tmp_path / "wide.csv"
    f.write_bytes("id,name\n1,François\n2,plain\n".encode(enc.lower()))
    table = "wide_" + enc[-2:].lower()
    r = imp(run, cfg, "-t", table, f)
    assert r.returncode == 0, r.stderr
    assert f"encoding: {enc} (detected: a NUL byte in every code unit" in r.stderr
    assert rows(cluster, f"SELECT name FROM {table} ORDER BY id") == [("François",), ("plain",)]


def test_a_small_latin1_file_is_read_as_windows_1252_with_a_warning(cluster, run, cfg, tmp_path):
    f = tmp_path / "small_latin.csv"
    f.write_bytes("id,name\n1,François\n2,Noël\n3,Ångström\n".encode("latin-1"))
    r = imp(run, cfg, "-t", "small_latin", f)
    assert r.returncode == 0, r.stderr
    assert "encoding: WINDOWS-1252 (detected" in r.stderr and "a guess from only 4 accented letters" in r.stderr
    assert rows(cluster, "SELECT name FROM small_latin ORDER BY id") == [("François",), ("Noël",), ("Ångström",)]


def test_a_first_row_naming_the_tables_columns_is_its_header(cluster, run, cfg, tmp_path):
    cluster.sql('DROP TABLE IF EXISTS by_year')
    cluster.sql('CREATE TABLE by_year (region text, "2023" int, "2024" int)')
    f = tmp_path / "years.csv"
    f.write_text("region,2024,2023\nnorth,6,5\n")  # numbers for names, in another order
    r = imp(run, cfg, "-t", "by_year", f)
    assert r.returncode == 0, r.stderr
    assert "header yes" in r.stderr
    assert rows(cluster, 'SELECT region, "2023", "2024" FROM by_year') == [("north", 5, 6)]


def test_blank_lines_in_a_wider_file_are_all_counted(cluster, run, cfg, tmp_path):
    f = tmp_path / "blank.csv"
    f.write_text("\n\nname,n\nalice,1\n\nbob,2\n\ncarol,3\n\n\n")
    r = imp(run, cfg, "-t", "blank_t", f)
    assert r.returncode == 0, r.stderr
    assert f"skipped 6 blank lines (the first at {f}:1)" in r.stderr  # leading and trailing ones too
    assert rows(cluster, "SELECT count(*) FROM blank_t") == [(3,)]


def test_blank_lines_in_a_one_column_file_are_nulls_as_copy_reads_them(cluster, run, cfg, tmp_path):
    f = tmp_path / "one.csv"
    f.write_text("\nname\nalice\n\n\"\"\ncarol\n\n")
    r = imp(run, cfg, "-t", "blank_one", f)
    assert r.returncode == 0, r.stderr
    assert f"skipped 1 blank line before the header (the first at {f}:1)" in r.stderr
    assert rows(cluster, "SELECT name FROM blank_one") == [("alice",), (None,), ("",), ("carol",), (None,)]
    f.write_text("1\n" * 20000 + "\n" * 5)
    r = imp(run, cfg, "-t", "blank_many", "--no-header", f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT count(*), count(col_1) FROM blank_many") == [(20005, 20000)]
    f.write_text("\n\n\n")
    r = imp(run, cfg, "-t", "blank_only", "--no-header", f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT count(*), count(col_1) FROM blank_only") == [(3, 0)]


def test_a_quote_inside_an_unquoted_field_is_an_error_with_its_column(cluster, run, cfg, tmp_path):
    f = tmp_path / "quote.csv"
    f.write_text('id,text,n\n1,This "quotes" must be escaped,3\n')
    r = imp(run, cfg, "-t", "stray_quote", f)
    assert r.returncode == 1, r.stderr
    assert f"{f}:2:8: a quote character" in r.stderr
    assert "--quote" in r.stderr
    assert rows(cluster, "SELECT to_regclass('stray_quote') IS NULL") == [(True,)]


def test_a_stateful_encoding_keeps_its_last_character(cluster, run, cfg, tmp_path):
    f = tmp_path / "vi.csv"
    f.write_bytes(b"id,name\n1,Nguyen\n2,Tran")
    r = imp(run, cfg, "-t", "cp1258_t", "--encoding", "cp1258", f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT name FROM cp1258_t ORDER BY id") == [("Nguyen",), ("Tran",)]


def test_invalid_utf8_header_and_nul_input_say_so(cluster, run, cfg, tmp_path):
    f = tmp_path / "badhead.csv"
    f.write_bytes(b"id,n\xe4me\n1,2\n")
    r = imp(run, cfg, "-t", "bad_head", "--encoding", "utf-8", f)
    assert r.returncode == 1, r.stderr
    assert f"{f}:1: invalid UTF-8" in r.stderr
    r = imp(run, cfg, "-t", "zeros", "/dev/zero", timeout=60)
    assert r.returncode == 1, r.stderr
    assert "/dev/zero:1: NUL byte" in r.stderr and "empty" not in r.stderr


@pytest.mark.parametrize("head, message, limit", [
    (b"a\n", b"standard input:2: a record longer than 64 MB", 80 << 20),
    (b"", b"standard input:1: no complete line in the first 8 MB", 16 << 20),
])
def test_a_record_without_line_breaks_from_a_pipe_is_refused_at_the_limit(cluster, cfg, head, message, limit):
    proc = subprocess.Popen([str(BIN / "pgimport"), "-c", str(cfg), "--progress", "never", "-t", "huge_t",
                             "--no-header", "--dry-run", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=clean_env())
    sent = 0
    chunk = b"x" * (1 << 20)
    try:
        proc.stdin.write(head)
        while sent < (200 << 20):
            proc.stdin.write(chunk)
            sent += len(chunk)
    except BrokenPipeError:
        pass
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err.decode()
    assert message in err
    assert sent < limit  # refused soon after the limit, not after reading everything


def test_json_document_on_usage_errors(run, cfg):
    r = run("pgimport", "--format", "json", "--no-such-flag")
    assert r.returncode == 2
    assert json.loads(r.stdout) == {"ok": False, "error": "unknown option '--no-such-flag'",
                                    "hint": "Try 'pgimport --help' for more information.", "exit_code": 2}


def test_json_document_on_failure(cluster, run, cfg, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("id,n\n1,2\n3\n")
    r = imp(run, cfg, "-t", "json_fail", f, "--format", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["exit_code"] == 1 and f"{f}:3" in doc["error"]
    bad = cluster.write_config(tmp_path / "down.yaml", port=1, connect_timeout=2)
    r = imp(run, bad, "-t", "json_fail", f, "--format", "json")
    assert r.returncode == 3 and json.loads(r.stdout)["exit_code"] == 3


def test_data_that_looks_like_normalised_names_stays_data(cluster, run, cfg, tmp_path):
    f = tmp_path / "nohead.csv"
    f.write_text("1,2\n3,4\n")
    assert imp(run, cfg, "-t", "appended", "--no-header", f).returncode == 0  # columns col_1, col_2
    f.write_text("2,1\n5,6\n")
    r = imp(run, cfg, "-t", "appended", f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT col_1, col_2 FROM appended ORDER BY col_1, col_2") == [
        ("1", "2"), ("2", "1"), ("3", "4"), ("5", "6")]


def test_excel_sep_line_alone_or_against_the_quote(cluster, run, cfg, tmp_path):
    f = tmp_path / "only_sep.csv"
    f.write_text("sep=;")
    r = imp(run, cfg, "-t", "only_sep", f)
    assert r.returncode == 1 and "is empty" in r.stderr, r.stderr
    f.write_text("sep='\na'b\n1'2\n")
    r = imp(run, cfg, "-t", "only_sep", "--quote", "'", f)
    assert r.returncode == 2 and "names the quote character" in r.stderr, r.stderr
    assert rows(cluster, "SELECT to_regclass('only_sep') IS NULL") == [(True,)]


def test_excel_sep_line_sets_the_delimiter_and_is_not_data(cluster, run, cfg, tmp_path):
    f = tmp_path / "excel.csv"
    f.write_bytes("\ufeffsep=;\r\nName;Amount\r\nZoë;1,5\r\nBob;oops\r\n".encode("utf-8"))
    cluster.sql("DROP TABLE IF EXISTS excel_t")
    cluster.sql("CREATE TABLE excel_t (name text, amount int)")
    r = imp(run, cfg, "-t", "excel_t", f)
    assert r.returncode == 1
    assert "delimiter ';' (from the sep= line)" in r.stderr
    assert f"{f}:3" in r.stderr  # the file's own line numbers: sep=; is line 1
    r = imp(run, cfg, "-t", "excel_new", f)
    assert r.returncode == 0, r.stderr
    assert rows(cluster, "SELECT name, amount FROM excel_new ORDER BY name") == [("Bob", "oops"), ("Zoë", "1,5")]


def test_error_line_in_a_long_double_spaced_stream(cluster, run, cfg, tmp_path):
    # A blank line after every record: far more irregular lines than the line map once kept.
    cluster.sql("DROP TABLE IF EXISTS spaced")
    cluster.sql("CREATE TABLE spaced (n int)")
    bad, n = 270000, 600000  # the bad record, well past where the old map filled up, then more data
    data = "n\n\n" + "".join("oops\n\n" if i == bad else f"{i % 10}\n\n" for i in range(n))
    r = run("pgimport", "-c", cfg, "-t", "spaced", "--progress", "never", "-", input=data)
    assert r.returncode == 1
    assert f"standard input:{3 + 2 * bad} " in r.stderr, r.stderr[-500:]
    assert rows(cluster, "SELECT count(*) FROM spaced") == [(0,)]


def test_appends_to_a_table_pgmonkey_created(cluster, run, cfg, tmp_path):
    """pgmonkey names columns its own way (full__name, price____, gr__e, phone_); its users append
    to those tables with the same files."""
    cluster.sql('CREATE TABLE pgm_made (full__name text, price____ text, gr__e text, phone_ text)')
    f = tmp_path / "people.csv"
    f.write_text("Full  Name,Price ($),Größe,phone#\nAnn Lee,3.50,XL,555\n")
    r = imp(run, cfg, "--table", "pgm_made", f)
    assert r.returncode == 0, r.stderr
    assert "header column 'Full  Name' goes to column full__name (pgmonkey's naming)" in r.stderr
    assert rows(cluster, "SELECT * FROM pgm_made") == [("Ann Lee", "3.50", "XL", "555")]
    # Our own normalised name and pgmonkey's both name a column: refused, nothing loaded.
    cluster.sql("CREATE TABLE pgm_both (full_name text, full__name text)")
    g = tmp_path / "both.csv"
    g.write_text("Full  Name\nAnn\n")
    r = imp(run, cfg, "--table", "pgm_both", g)
    assert r.returncode == 1 and "could mean column full_name or full__name" in r.stderr
    assert rows(cluster, "SELECT count(*) FROM pgm_both") == [(0,)]


def test_spreadsheet_trailing_delimiter_matches_a_table_without_that_column(cluster, run, cfg, tmp_path):
    cluster.sql("CREATE TABLE xl_trail (a int, b text)")
    f = tmp_path / "xl.csv"
    f.write_bytes(b"a;b;\r\n1;x;\r\n2;\"y;z\";\r\n")
    r = imp(run, cfg, "--table", "xl_trail", f)
    assert r.returncode == 0, r.stderr
    assert "taken for a trailing delimiter" in r.stderr
    assert rows(cluster, "SELECT a, b FROM xl_trail ORDER BY a") == [(1, "x"), (2, "y;z")]
    # A value under the empty header past the sniffed sample: an error at its line, nothing loaded.
    g = tmp_path / "xl_bad.csv"
    g.write_text("a,b,\n" + "".join(f"{i},v,\n" for i in range(3, 5000)) + "5000,v,oops\n")
    r = imp(run, cfg, "--table", "xl_trail", g)
    assert r.returncode == 1
    assert f"{g}:4999:" in r.stderr and "whose header is empty" in r.stderr
    assert rows(cluster, "SELECT count(*) FROM xl_trail") == [(2,)]


def test_not_null_text_column_takes_an_empty_field_as_empty_string(cluster, run, cfg, tmp_path):
    cluster.sql("CREATE TABLE nn_text (id int NOT NULL, name text NOT NULL, note text)")
    f = tmp_path / "nn.csv"
    f.write_text("id,name,note\n1,,\n2,Bo,\n")
    r = imp(run, cfg, "--table", "nn_text", f, "--dry-run")
    assert r.returncode == 0 and 'FORCE_NOT_NULL ("name")' in r.stdout
    r = imp(run, cfg, "--table", "nn_text", f)
    assert r.returncode == 0, r.stderr
    assert "NOT NULL text column name: an empty field loads as ''" in r.stderr
    assert rows(cluster, "SELECT id, name, note FROM nn_text ORDER BY id") == [(1, "", None), (2, "Bo", None)]
    # An integer NOT NULL column still refuses an empty field: nothing loaded.
    g = tmp_path / "nn_bad.csv"
    g.write_text("id,name,note\n,x,\n")
    assert imp(run, cfg, "--table", "nn_text", g).returncode == 1
    assert rows(cluster, "SELECT count(*) FROM nn_text") == [(2,)]
