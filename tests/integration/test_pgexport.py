"""pgexport against a real throw-away cluster: psql-identical output, every option, encodings,
the sidecar config, the read-only snapshot, and atomic files under failures and signals."""
import json
import os
import pty
import resource
import signal
import subprocess
import time

import pytest

from conftest import BIN, clean_env

AWKWARD = r"""
CREATE TABLE awkward (id int PRIMARY KEY, name text, note text, amount numeric, at timestamptz,
                      raw bytea, arr int[], doc jsonb, ok boolean, "Mixed Case" text);
INSERT INTO awkward VALUES
  (1, 'plain', '', 1.50, '2024-01-02 03:04:05.678+00', '\x00ff10', '{1,2,NULL}', '{"a": "b,c"}', true, 'x'),
  (2, NULL, E'two\nlines and "quotes", commas', NULL, NULL, NULL, NULL, NULL, false, NULL),
  (3, 'Ünïcødé € ✓ 😀', E'tab\there; semi', -0.0001, 'infinity', '', '{}', '[1, "two"]', NULL, E'cr\r\nlf'),
  (4, 'quote''s', 'NULL', 123456789012345678901234567890.5, '1999-12-31 23:59:59+00', '\x', '{-1}', 'null', true, ';');
"""


@pytest.fixture(scope="module")
def db(cluster):
    cluster.sql("DROP SCHEMA IF EXISTS export_t CASCADE")
    cluster.sql("CREATE SCHEMA export_t")
    with cluster.connect() as conn:
        conn.execute("SET search_path = export_t")
        conn.execute(AWKWARD)
        conn.execute("CREATE TABLE empty (a int, b text)")
        conn.execute('CREATE SCHEMA "My Schema"')
        conn.execute('CREATE TABLE "My Schema"."Odd Name" ("A" int, b text)')
        conn.execute('''INSERT INTO "My Schema"."Odd Name" VALUES (1, 'one')''')
        conn.execute("CREATE TABLE orders (id int, item text)")
        conn.execute("INSERT INTO orders SELECT i, 'item ' || i FROM generate_series(1, 500) i")
        conn.execute("CREATE VIEW orders_view AS SELECT item, id FROM orders WHERE id <= 3")
        conn.execute("CREATE TABLE wide (id int, pad text)")
        conn.execute("INSERT INTO wide SELECT i, repeat('w', 200) FROM generate_series(1, 4000) i")
        conn.execute("ANALYZE wide")
        conn.execute("CREATE TABLE latin (id int, t text)")
        conn.execute("INSERT INTO latin VALUES (1, 'café'), (2, 'Größe'), (3, NULL)")
        conn.execute("CREATE TABLE euro (id int, t text)")
        conn.execute("INSERT INTO euro VALUES (1, '€ 5')")
        conn.execute("CREATE TABLE ascii_only (id int, t text)")
        conn.execute("INSERT INTO ascii_only VALUES (1, 'plain'), (2, 'text')")
        # A slow view: rows trickle out, so an export can be interrupted in the middle.
        conn.execute("""CREATE FUNCTION slow_id(i int) RETURNS int LANGUAGE plpgsql AS
                        $$ BEGIN PERFORM pg_sleep(0.002); RETURN i; END $$""")
        conn.execute("CREATE VIEW slow AS SELECT slow_id(i) AS id, repeat('x', 300) AS pad "
                     "FROM generate_series(1, 4000) i")
        # What the export's transaction looks like from inside.
        conn.execute("CREATE VIEW tx_mode AS SELECT current_setting('transaction_isolation') AS iso, "
                     "current_setting('transaction_read_only') AS ro")
        conn.execute("CREATE TABLE written (x int)")
        conn.execute("""CREATE FUNCTION writes() RETURNS int LANGUAGE plpgsql AS
                        $$ BEGIN INSERT INTO export_t.written VALUES (1); RETURN 1; END $$""")
        conn.execute("CREATE VIEW writing AS SELECT writes() AS w")
    return cluster


@pytest.fixture
def cfg(db, tmp_path):
    return db.write_config(tmp_path / "conf" / "c.yaml")


def psql_copy(cluster, target, relation="export_t.awkward", options="FORMAT csv, HEADER", columns=""):
    """The reference: what psql's \\copy writes for the same relation and options."""
    cols = f" ({columns})" if columns else ""
    cmd = f"\\copy {relation}{cols} TO '{target}' WITH ({options})"
    env = clean_env(cluster.env)
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", cmd], env=env, check=True,
                   capture_output=True)
    return target.read_bytes()


def export(run, cfg, *args, **kw):
    return run("pgexport", "-c", cfg, *args, **kw)


def entries(folder):
    return sorted(p.name for p in folder.iterdir())


def test_default_output_is_byte_identical_to_psql_copy(db, run, cfg, tmp_path):
    out = tmp_path / "awkward.csv"
    r = export(run, cfg, "--table", "export_t.awkward", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # no progress bar off a TTY
    assert out.read_bytes() == psql_copy(db, tmp_path / "psql.csv")
    assert "exported 4 rows" in r.stdout and "export_t.awkward" in r.stdout
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_progress_only_on_a_terminal(db, cfg, tmp_path):
    controller, terminal = pty.openpty()
    try:
        r = subprocess.run([str(BIN / "pgexport"), "-c", str(cfg), "-t", "export_t.wide", "-o", str(tmp_path / "w.csv")],
                           env=clean_env(), stdout=subprocess.PIPE, stderr=terminal, timeout=60)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO once the terminal side is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert r.returncode == 0
    assert b"pgexport: " in shown and b"% " in shown and b"rows" in shown  # a percentage from the estimate
    assert shown.endswith(b"\r\x1b[K")  # the line is cleared before the summary
    assert b"exported 4000 rows" in r.stdout
    # Off a terminal (every other test) stderr stays empty, as in test_default_output_is_byte_identical_to_psql_copy.


def test_progress_always_and_never(db, run, cfg, tmp_path):
    r = export(run, cfg, "-t", "export_t.wide", "-o", tmp_path / "w.csv", "--progress", "always")
    assert r.returncode == 0, r.stderr
    assert "pgexport: " in r.stderr and "rows" in r.stderr and "/s" in r.stderr  # one line per update off a TTY
    r = export(run, cfg, "-t", "export_t.wide", "-o", tmp_path / "w.csv", "--force", "--progress", "never")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    r = export(run, cfg, "-t", "export_t.wide", "-o", tmp_path / "w.csv", "--progress", "sometimes")
    assert r.returncode == 2


def test_devices_and_fifos_are_written_in_place(db, run, cfg, tmp_path):
    r = export(run, cfg, "-t", "export_t.orders", "-o", "/dev/null")  # no --force needed, nothing replaced
    assert r.returncode == 0, r.stderr
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = subprocess.Popen([str(BIN / "pgexport"), "-c", str(cfg), "-t", "export_t.orders", "-o", str(fifo)],
                            env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(fifo, "rb") as f:
        data = f.read()
    assert proc.wait(timeout=30) == 0, proc.stderr.read()
    assert data == psql_copy(db, tmp_path / "p.csv", "export_t.orders")
    assert entries(tmp_path) == ["conf", "p.csv", "pipe"]


def test_json_summary_and_default_file_name(db, run, cfg, tmp_path):
    work = tmp_path / "here"
    work.mkdir()
    r = export(run, cfg, "-t", "export_t.orders", "--format", "json", cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    out = work / "orders.csv"  # pgmonkey's default: TABLE.csv in the current folder
    assert doc == {"table": "export_t.orders", "output": "orders.csv", "encoding": "UTF8", "rows": 500,
                   "bytes": out.stat().st_size, "seconds": doc["seconds"], "compression": None,
                   "compressed_bytes": 0, "jobs": 1, "method": "single", "dry_run": False}
    assert entries(work) == ["orders.csv"]
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.orders")


def test_stdout_and_pgmonkey_aliases(db, run, cfg, tmp_path):
    r = subprocess.run([str(BIN / "pgexport"), "--connconfig", str(cfg), "--table", "export_t.awkward", "-o", "-"],
                       env=clean_env(), capture_output=True)  # bytes: text mode would fold the CRLF in a field
    assert r.returncode == 0, r.stderr
    assert r.stdout == psql_copy(db, tmp_path / "p.csv")
    assert b"exported 4 rows" in r.stderr and b"standard output" in r.stderr  # summary kept off the data
    out = tmp_path / "alias.csv"
    r = run("pgexport", "--connconfig", cfg, "--table", "export_t.awkward", "--export_file", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv")


def test_existing_file_needs_force(db, run, cfg, tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("keep me\n")
    out.chmod(0o640)
    r = export(run, cfg, "-t", "export_t.orders", "-o", out)
    assert r.returncode == 2
    assert "refusing to overwrite existing file" in r.stderr and "--force" in r.stderr
    assert out.read_text() == "keep me\n"
    assert entries(tmp_path) == ["conf", "t.csv"]
    r = export(run, cfg, "-t", "export_t.orders", "-o", out, "--force")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.orders")
    assert out.stat().st_mode & 0o777 == 0o640  # the replaced file's mode is kept


# Server-side options: psql's \copy with the same COPY options is the oracle.
@pytest.mark.parametrize("flags, options, columns", [
    (["--delimiter", ";"], "FORMAT csv, HEADER, DELIMITER ';'", ""),
    (["--delimiter", "\\t"], "FORMAT csv, HEADER, DELIMITER E'\\t'", ""),
    (["--delimiter", "|", "--quote", "'"], "FORMAT csv, HEADER, DELIMITER '|', QUOTE ''''", ""),
    (["--no-header"], "FORMAT csv", ""),
    (["--header"], "FORMAT csv, HEADER", ""),
    (["--null", "\\N"], "FORMAT csv, HEADER, NULL '\\N'", ""),
    (["--force-quote", "*"], "FORMAT csv, HEADER, FORCE_QUOTE *", ""),
    (["--force-quote", "id, Mixed Case"], 'FORMAT csv, HEADER, FORCE_QUOTE (id, "Mixed Case")', ""),
    (["--columns", "note,id,Mixed Case"], "FORMAT csv, HEADER", 'note, id, "Mixed Case"'),
    (["--columns", "ID,NAME", "--force-quote", "name"], "FORMAT csv, HEADER, FORCE_QUOTE (name)", "id, name"),
], ids=["delimiter", "tab", "quote", "no-header", "header", "null", "force-quote-all", "force-quote-cols",
        "columns", "columns-folded"])
def test_options_match_psql(db, run, cfg, tmp_path, flags, options, columns):
    out = tmp_path / "o.csv"
    r = export(run, cfg, "-t", "export_t.awkward", "-o", out, *flags)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv", options=options, columns=columns)


def test_crlf_changes_record_ends_only(db, run, cfg, tmp_path):
    out = tmp_path / "crlf.csv"
    r = export(run, cfg, "-t", "export_t.awkward", "-o", out, "--crlf")
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    plain = psql_copy(db, tmp_path / "p.csv")
    assert data.count(b"\r\n") == 5 + 1  # header + 4 records, + the CRLF stored inside row 3
    assert b'"two\nlines and ""quotes"", commas"' in data  # a newline inside a field stays LF
    assert b'"cr\r\nlf"' in data
    assert data.endswith(b",;\r\n")
    # Undoing exactly the record terminators gives psql's bytes back.
    assert data.replace(b"\r\n", b"\n").replace(b'"cr\nlf"', b'"cr\r\nlf"') == plain


def test_crlf_with_utf16_and_custom_quote(db, run, cfg, tmp_path):
    out = tmp_path / "crlf16.csv"
    r = export(run, cfg, "-t", "export_t.awkward", "-o", out, "--crlf", "--quote", "'", "--encoding", "utf-16be")
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data[:2] == b"\xfe\xff"
    text = data[2:].decode("utf-16-be")
    plain = psql_copy(db, tmp_path / "p.csv", options="FORMAT csv, HEADER, QUOTE ''''").decode()
    assert text.replace("\r\n", "\n").replace("'cr\nlf'", "'cr\r\nlf'") == plain
    assert text.count("\r\n") == 6


@pytest.mark.parametrize("name, pg_name, bom", [
    ("latin1", "LATIN1", b""), ("iso-8859-1", "LATIN1", b""), ("cp1252", "WIN1252", b""),
    ("WIN1252", "WIN1252", b""), ("utf-8", "UTF8", b""), ("utf-8-sig", "UTF8", b"\xef\xbb\xbf"),
])
def test_server_side_encodings(db, run, cfg, tmp_path, name, pg_name, bom):
    out = tmp_path / "enc.csv"
    r = export(run, cfg, "-t", "export_t.latin", "-o", out, "--encoding", name, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["encoding"].startswith(pg_name)
    ref = psql_copy(db, tmp_path / "p.csv", "export_t.latin", options=f"FORMAT csv, HEADER, ENCODING '{pg_name}'")
    assert out.read_bytes() == bom + ref
    if pg_name == "LATIN1":
        assert "café".encode("latin-1") in out.read_bytes()


def test_latin1_cannot_hold_euro(db, run, cfg, tmp_path):
    out = tmp_path / "latin.csv"
    r = export(run, cfg, "-t", "export_t.euro", "-o", out, "--encoding", "latin1")
    assert r.returncode == 1
    assert "has no equivalent in encoding" in r.stderr
    assert entries(tmp_path) == ["conf"]


@pytest.mark.parametrize("name, bom, codec", [
    ("utf-16", b"\xff\xfe", "utf-16-le"), ("UTF-16LE", b"\xff\xfe", "utf-16-le"), ("utf16be", b"\xfe\xff", "utf-16-be"),
])
def test_utf16_has_bom_and_same_text(db, run, cfg, tmp_path, name, bom, codec):
    out = tmp_path / "u16.csv"
    r = export(run, cfg, "-t", "export_t.awkward", "-o", out, "--encoding", name, "--format", "json")
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data[:2] == bom
    assert data[2:].decode(codec) == psql_copy(db, tmp_path / "p.csv").decode()
    assert json.loads(r.stdout)["bytes"] == len(data)


def test_ascii(db, run, cfg, tmp_path):
    out = tmp_path / "a.csv"
    r = export(run, cfg, "-t", "export_t.ascii_only", "-o", out, "--encoding", "ascii")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.ascii_only")
    out.unlink()
    r = export(run, cfg, "-t", "export_t.latin", "-o", out, "--encoding", "ascii")
    assert r.returncode == 1
    assert "not ASCII" in r.stderr and "line 2" in r.stderr
    assert entries(tmp_path) == ["conf", "p.csv"]


def test_unknown_encoding_is_a_usage_error(db, run, cfg, tmp_path):
    r = export(run, cfg, "-t", "export_t.latin", "-o", tmp_path / "x.csv", "--encoding", "klingon")
    assert r.returncode == 2
    assert "unknown encoding klingon" in r.stderr
    r = export(run, cfg, "-t", "export_t.latin", "-o", tmp_path / "x.csv", "--encoding", "sql_ascii")
    assert r.returncode == 2
    assert "SQL_ASCII is not a file encoding" in r.stderr
    assert entries(tmp_path) == ["conf"]


def test_sidecar_config_is_honoured_and_flags_override_it(db, run, cfg, tmp_path):
    out = tmp_path / "side.csv"
    # pgmonkey writes '\t' as the two characters backslash and t.
    (tmp_path / "side.yaml").write_text("delimiter: '\\t'\nquotechar: \"'\"\nencoding: latin1\n")
    r = export(run, cfg, "-t", "export_t.latin", "-o", out, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["encoding"] == "LATIN1"
    ref = psql_copy(db, tmp_path / "p.csv", "export_t.latin",
                    options="FORMAT csv, HEADER, DELIMITER E'\\t', QUOTE '''', ENCODING 'LATIN1'")
    assert out.read_bytes() == ref
    r = export(run, cfg, "-t", "export_t.latin", "-o", out, "--force", "--delimiter", ";", "--encoding", "utf-8")
    assert r.returncode == 0, r.stderr
    ref = psql_copy(db, tmp_path / "p.csv", "export_t.latin", options="FORMAT csv, HEADER, DELIMITER ';', QUOTE ''''")
    assert out.read_bytes() == ref
    # An explicit --export-config wins over the file next to the CSV.
    (tmp_path / "other.yaml").write_text("delimiter: '|'\n")
    r = export(run, cfg, "-t", "export_t.latin", "-o", out, "--force", "--export-config", tmp_path / "other.yaml")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.latin", options="FORMAT csv, HEADER, DELIMITER '|'")


def test_broken_sidecar_is_a_config_error(db, run, cfg, tmp_path):
    (tmp_path / "bad.yaml").write_text("delimiter: ';;'\n")
    r = export(run, cfg, "-t", "export_t.latin", "-o", tmp_path / "bad.csv")
    assert r.returncode == 2
    assert "single one-byte character" in r.stderr and "bad.yaml" in r.stderr
    assert entries(tmp_path) == ["bad.yaml", "conf"]


@pytest.mark.parametrize("flags, message", [
    (["--delimiter", '"'], "both"),
    (["--null", "a,b"], "--null must not contain the delimiter"),
    (["--columns", "id,nope"], "has no column nope"),
    (["--force-quote", "amount", "--columns", "id"], "has no column amount"),
    (["--delimiter", "ab"], "single one-byte character"),
    (["--columns", "id,ID"], "column id is named more than once"),
    (["--columns", ""], "--columns has an empty column name"),
    (["--header", "--no-header"], "--header excludes --no-header"),
])
def test_bad_options_are_usage_errors(db, run, cfg, tmp_path, flags, message):
    r = export(run, cfg, "-t", "export_t.awkward", "-o", tmp_path / "x.csv", *flags)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert entries(tmp_path) == ["conf"]


def test_missing_table_suggests_a_name(db, run, cfg, tmp_path):
    r = export(run, cfg, "-t", "export_t.ordrs", "-o", tmp_path / "x.csv")
    assert r.returncode == 1
    assert "table export_t.ordrs does not exist" in r.stderr and "did you mean orders?" in r.stderr
    assert entries(tmp_path) == ["conf"]


def test_names_quoted_folded_and_views(db, run, cfg, tmp_path):
    out = tmp_path / "odd.csv"
    r = export(run, cfg, "-t", '"My Schema"."Odd Name"', "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == b'A,b\n1,one\n'
    r = export(run, cfg, "-t", "EXPORT_T.Orders_View", "-o", out, "--force", "--columns", "id,item")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == b"id,item\n1,item 1\n2,item 2\n3,item 3\n"
    r = export(run, cfg, "-t", "export_t.empty", "-o", out, "--force", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"] == 0
    assert out.read_bytes() == b"a,b\n"


def test_reads_in_one_repeatable_read_read_only_transaction(db, run, cfg, tmp_path):
    out = tmp_path / "mode.csv"
    r = export(run, cfg, "-t", "export_t.tx_mode", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "iso,ro\nrepeatable read,on\n"
    r = export(run, cfg, "-t", "export_t.writing", "-o", tmp_path / "w.csv")
    assert r.returncode == 1
    assert "read-only transaction" in r.stderr
    assert db.sql("SELECT count(*) FROM export_t.written") == [(0,)]
    assert entries(tmp_path) == ["conf", "mode.csv"]


def test_session_settings_from_the_config_apply(db, run, tmp_path):
    conf = db.write_config(tmp_path / "conf" / "tz.yaml", sections={"sync_settings": {"TimeZone": "Asia/Tokyo"}})
    out = tmp_path / "tz.csv"
    r = export(run, conf, "-t", "export_t.awkward", "--columns", "id,at", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text().splitlines()[1] == "1,2024-01-02 12:04:05.678+09"


def test_config_statement_timeout_does_not_cut_the_copy_short(db, run, tmp_path):
    # pgconfig create writes statement_timeout 30 s for the application; a dump may take longer.
    conf = db.write_config(tmp_path / "conf" / "st.yaml", sections={"sync_settings": {"statement_timeout": "100",
                                                                                     "lock_timeout": "5000"}})
    db.sql("CREATE OR REPLACE VIEW export_t.sleepy AS SELECT 1 AS x FROM pg_catalog.pg_sleep(0.5)")
    out = tmp_path / "sleepy.csv"
    r = export(run, conf, "-t", "export_t.sleepy", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "x\n1\n"


def test_json_summary_with_data_on_stdout(db, run, cfg, tmp_path):
    loose = db.write_config(tmp_path / "conf" / "loose.yaml", mode=0o644)  # a warning on stderr too
    for conf, quiet in ((cfg, []), (cfg, ["-q"]), (loose, [])):
        r = subprocess.run([str(BIN / "pgexport"), "-c", str(conf), "-t", "export_t.orders", "-o", "-",
                            "--format", "json", *quiet], env=clean_env(), capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("id,item\n")
        doc = json.loads(r.stderr.splitlines()[-1])  # the document is the last line of stderr
        assert doc["rows"] == 500 and doc["output"] == "-"
        if not quiet and conf == cfg:
            assert len(r.stderr.splitlines()) == 1
    r = subprocess.run([str(BIN / "pgexport"), "-c", str(cfg), "-t", "export_t.nope", "-o", "-", "--format", "json"],
                       env=clean_env(), capture_output=True, text=True)
    assert r.returncode == 1 and r.stdout == ""
    doc = json.loads(r.stderr.splitlines()[-1])
    assert doc["ok"] is False and doc["exit_code"] == 1 and "does not exist" in doc["error"]


def test_json_document_on_failure(db, run, cfg, tmp_path):
    r = export(run, cfg, "-t", "export_t.ordrs", "-o", tmp_path / "x.csv", "--format", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc == {"ok": False, "error": "table export_t.ordrs does not exist", "hint": "did you mean orders?",
                   "exit_code": 1}


def test_connection_config_is_not_taken_for_the_sidecar(db, run, tmp_path):
    conf = db.write_config(tmp_path / "latin.yaml")  # -c latin.yaml -t latin writes latin.csv here
    r = run("pgexport", "-c", conf, "-t", "export_t.latin", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "latin.csv").read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.latin")


def test_shared_sidecar_has_headers_round_trips(db, run, cfg, tmp_path):
    (tmp_path / "data.yaml").write_text("has_headers: false\ndelimiter: ';'\n")  # one file for both tools
    out = tmp_path / "data.csv"
    r = export(run, cfg, "-t", "export_t.latin", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.latin",
                                         options="FORMAT csv, DELIMITER ';'")
    db.sql("DROP TABLE IF EXISTS export_t.latin_back")
    db.sql("CREATE TABLE export_t.latin_back (LIKE export_t.latin)")
    r = run("pgimport", "-c", cfg, "-t", "export_t.latin_back", "--no-create", out)
    assert r.returncode == 0, r.stderr
    assert db.sql("SELECT count(*) FROM ((TABLE export_t.latin EXCEPT ALL TABLE export_t.latin_back) UNION ALL "
                  "(TABLE export_t.latin_back EXCEPT ALL TABLE export_t.latin)) d") == [(0,)]


def test_generated_columns_can_be_chosen(db, run, cfg, tmp_path):
    db.sql("DROP TABLE IF EXISTS export_t.gen")
    db.sql("CREATE TABLE export_t.gen (a int, b int GENERATED ALWAYS AS (a * 2) STORED)")
    db.sql("INSERT INTO export_t.gen (a) VALUES (1), (2)")
    out = tmp_path / "gen.csv"
    r = export(run, cfg, "-t", "export_t.gen", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.gen") == b"a\n1\n2\n"
    r = export(run, cfg, "-t", "export_t.gen", "-o", out, "--force", "--columns", "b,a", "--force-quote", "b")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == b'b,a\n"2",1\n"4",2\n'


def test_could_not_connect_exits_3(db, run, tmp_path):
    bad = db.write_config(tmp_path / "conf" / "bad.yaml", port=1)
    r = export(run, bad, "-t", "export_t.orders", "-o", tmp_path / "x.csv")
    assert r.returncode == 3
    assert entries(tmp_path) == ["conf"]


def start_slow_export(cfg, out, *extra):
    """Starts an export of the slow view and returns once its COPY runs on the server."""
    proc = subprocess.Popen([str(BIN / "pgexport"), "-c", str(cfg), "-t", "export_t.slow", "-o", str(out), *extra],
                            env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc


def wait_for_copy(cluster, proc):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = cluster.sql("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgexport' "
                           "AND state = 'active' AND query LIKE 'COPY%'")
        if rows:
            time.sleep(0.5)  # well into the stream
            assert proc.poll() is None, "the export finished before it could be interrupted"
            return rows[0][0]
        time.sleep(0.05)
    raise AssertionError("the export's COPY never started")


@pytest.mark.parametrize("how", ["terminate_backend", "SIGINT", "SIGTERM", "SIGHUP"])
def test_interrupted_export_leaves_target_untouched(db, cfg, tmp_path, how):
    out = tmp_path / "slow.csv"
    out.write_text("previous contents\n")
    proc = start_slow_export(cfg, out, "--force")
    pid = wait_for_copy(db, proc)
    temps = [n for n in entries(tmp_path) if n.startswith(".slow.csv.pgexport-")]
    assert len(temps) == 1  # the data was going to a temp file next to the target
    if how == "terminate_backend":
        db.sql("SELECT pg_terminate_backend(%s)", (pid,))
    else:
        proc.send_signal(getattr(signal, how))
    _, err = proc.communicate(timeout=30)
    if how == "terminate_backend":
        assert proc.returncode == 1
        assert "lost the connection to the server" in err
    else:
        assert proc.returncode == 130
        assert "interrupted" in err
    assert out.read_text() == "previous contents\n"
    assert entries(tmp_path) == ["conf", "slow.csv"]
    # The server side is gone too: nothing keeps running after we left.
    deadline = time.monotonic() + 10
    while db.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgexport'") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert db.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgexport'") == []


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_with_a_stopped_backend_exits_130_and_removes_the_temp_file(db, cfg, tmp_path, presses):
    out = tmp_path / "slow.csv"
    out.write_text("previous contents\n")
    proc = start_slow_export(cfg, out, "--force")
    pid = wait_for_copy(db, proc)
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
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert elapsed < (10 if presses == 1 else 2), elapsed
    assert out.read_text() == "previous contents\n"
    assert entries(tmp_path) == ["conf", "slow.csv"]


def test_a_dangling_symlink_is_an_existing_target(db, run, cfg, tmp_path):
    out = tmp_path / "link.csv"
    out.symlink_to(tmp_path / "nowhere.csv")
    r = export(run, cfg, "-t", "export_t.orders", "-o", out)
    assert r.returncode == 2, r.stderr
    assert "symbolic link" in r.stderr and "--force" in r.stderr
    assert out.is_symlink() and not (tmp_path / "nowhere.csv").exists()
    r = export(run, cfg, "-t", "export_t.orders", "-o", out, "--force")
    assert r.returncode == 0, r.stderr
    assert not out.is_symlink() and out.read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.orders")


def drop_write_override():
    """Root ignores folder permissions; drop that capability so a read-only folder is one."""
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []


def test_read_only_folder_is_a_clear_error(db, cfg, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "t.csv").write_text("old\n")
    folder.chmod(0o555)
    try:
        r = subprocess.run([*drop_write_override(), str(BIN / "pgexport"), "-c", str(cfg), "-t", "export_t.orders",
                            "-o", str(folder / "t.csv"), "--force"], env=clean_env(), capture_output=True, text=True)
    finally:
        folder.chmod(0o755)
    assert r.returncode == 1
    assert f"cannot create a file in {folder}: Permission denied" in r.stderr
    assert "not writable" in r.stderr
    assert entries(folder) == ["t.csv"]
    assert (folder / "t.csv").read_text() == "old\n"


def test_full_disk_leaves_nothing_behind(db, cfg, tmp_path):
    out = tmp_path / "big.csv"
    out.write_text("old\n")

    def small_file_limit():  # the file-size limit stands in for a full disk: writes fail mid-stream
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    r = subprocess.run([str(BIN / "pgexport"), "-c", str(cfg), "-t", "export_t.orders", "-o", str(out), "--force"],
                       env=clean_env(), capture_output=True, text=True, preexec_fn=small_file_limit)
    assert r.returncode == 1
    assert f"cannot write {out}: File too large" in r.stderr
    assert out.read_text() == "old\n"
    assert entries(tmp_path) == ["big.csv", "conf"]


def test_quoted_names_in_columns_and_force_quote(db, run, cfg, tmp_path):
    db.sql('DROP TABLE IF EXISTS export_t.commas')
    db.sql('CREATE TABLE export_t.commas (id int, "Unit, price" numeric, "q""x" text)')
    db.sql("INSERT INTO export_t.commas VALUES (1, 2.5, 'a')")
    out = tmp_path / "commas.csv"
    r = export(run, cfg, "-t", "export_t.commas", "-o", out,
               "--columns", '"q""x", "Unit, price"', "--force-quote", '"q""x"')
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == psql_copy(db, tmp_path / "p.csv", "export_t.commas",
                                         options='FORMAT csv, HEADER, FORCE_QUOTE ("q""x")',
                                         columns='"q""x", "Unit, price"')
    r = export(run, cfg, "-t", "export_t.commas", "-o", tmp_path / "x.csv", "--columns", '"open')
    assert r.returncode == 2 and "unclosed double quote" in r.stderr
