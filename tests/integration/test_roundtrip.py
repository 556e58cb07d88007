"""What pgexport writes, pgimport reads back into an identical table, for every dialect and encoding."""
import pytest

SETUP = """
CREATE TABLE {t} (
  id      integer PRIMARY KEY,
  label   text,
  amount  numeric(12,4),
  at      timestamptz,
  raw     bytea,
  tags    text[],
  doc     jsonb,
  flag    boolean
)"""

# Rows chosen to hit the hard cases: NULL vs empty string, delimiters, quotes and newlines inside
# fields, CR, backslashes, leading/trailing spaces, and non-ASCII text.
ROWS = [
    (1, "plain", "1.5", "2024-01-02 03:04:05+00", b"\x00\x01\xff", ["a", "b"], '{"k": [1, 2]}', True),
    (2, "", "0", "1999-12-31 23:59:59.123456+05:30", b"", [], "{}", False),
    (3, None, None, None, None, None, None, None),
    (4, 'say "hi", then; leave|now\tx', "-123.0001", "2024-06-30 12:00:00-07", b"\\x", ["x,y", 'q"q'],
     '{"s": "a,b;\\"c\\""}', True),
    (5, "line one\nline two\r\nline three\rend", "99999999.9999", "2000-02-29 00:00:00+00", b"\n\r",
     ["multi\nline"], '{"n": null}', None),
    (6, "  padded  ", "0.0001", "2024-01-01 00:00:00+00", b"abc", [None, ""], "[1, \"two\"]", False),
    (7, "back\\slash and NULL and \\N", "1", "2024-01-01 00:00:00+00", b"\\N", ["\\"], '"str"', True),
]
UNICODE_ROWS = [
    (20, "grüße, naïve café — «quotes»", "2", "2024-01-01 00:00:00+00", b"u", ["é"], '{"é": "ü"}', True),
    (21, "日本語のテキスト, 中文, 한국어 😀", "3", "2024-01-01 00:00:00+00", b"u", ["😀"], '{"k": "日本"}', False),
]
LATIN1_ROWS = [
    (30, "grüße, naïve café, smørrebrød, ¿qué?", "4", "2024-01-01 00:00:00+00", b"l", ["ñ"], '{"é": "ü"}', True),
]


def fill(cluster, table, rows):
    cluster.sql(f"DROP TABLE IF EXISTS {table}")
    cluster.sql(SETUP.format(t=table))
    with cluster.connect() as conn:
        for row in rows:
            conn.execute(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s)", row)


def differences(cluster, a, b):
    return cluster.sql(f"SELECT count(*) FROM ((TABLE {a} EXCEPT ALL TABLE {b}) "
                       f"UNION ALL (TABLE {b} EXCEPT ALL TABLE {a})) d")[0][0]


CASES = {
    "default": ([], [], ROWS + UNICODE_ROWS),
    "semicolon-single-quote": (["--delimiter", ";", "--quote", "'"], ["--delimiter", ";", "--quote", "'"],
                               ROWS + UNICODE_ROWS),
    "tab-no-header": (["--delimiter", "\t", "--no-header"], ["--delimiter", "\t", "--no-header"], ROWS),
    "pipe-null-crlf-forcequote": (["--delimiter", "|", "--null", "NULL", "--crlf", "--force-quote", "*"],
                                  ["--delimiter", "|", "--null", "NULL"], ROWS + UNICODE_ROWS),
    "latin1": (["--encoding", "latin1"], ["--encoding", "latin1"], ROWS + LATIN1_ROWS),
    "latin1-detected": (["--encoding", "latin1"], [], ROWS + LATIN1_ROWS),
    "utf-16": (["--encoding", "utf-16"], [], ROWS + UNICODE_ROWS),
    "utf-16be": (["--encoding", "utf-16be"], ["--encoding", "utf-16be"], ROWS + UNICODE_ROWS),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_round_trip(cluster, run, tmp_path, case):
    export_flags, import_flags, rows = CASES[case]
    cfg = cluster.write_config(tmp_path / "c.yaml")
    fill(cluster, "rt_a", rows)
    cluster.sql("DROP TABLE IF EXISTS rt_b")
    cluster.sql("CREATE TABLE rt_b (LIKE rt_a INCLUDING ALL)")
    out = tmp_path / "rt.csv"
    e = run("pgexport", "-c", cfg, "--table", "rt_a", "-o", out, *export_flags)
    assert e.returncode == 0, e.stderr
    i = run("pgimport", "-c", cfg, "--table", "rt_b", out, *import_flags)
    assert i.returncode == 0, i.stdout + i.stderr
    assert cluster.sql("SELECT count(*) FROM rt_b")[0][0] == len(rows)
    assert differences(cluster, "rt_a", "rt_b") == 0
    # NULL and empty string stayed apart.
    assert cluster.sql("SELECT label IS NULL, label = '' FROM rt_b WHERE id IN (2, 3) ORDER BY id") == [
        (False, True), (True, None)]
    # And the second export is byte for byte the first.
    again = tmp_path / "again.csv"
    cluster.sql("ALTER TABLE rt_a RENAME TO rt_keep")
    cluster.sql("ALTER TABLE rt_b RENAME TO rt_a")
    e2 = run("pgexport", "-c", cfg, "--table", "rt_a", "-o", again, *export_flags)
    cluster.sql("DROP TABLE rt_keep")
    assert e2.returncode == 0, e2.stderr
    assert again.read_bytes() == out.read_bytes()


def test_mixed_case_table_names_mean_the_same_table_in_both_tools(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml")
    cluster.sql('DROP TABLE IF EXISTS "Orders"; DROP TABLE IF EXISTS orders')
    cluster.sql('CREATE TABLE "Orders" (id int, item text); INSERT INTO "Orders" VALUES (1, \'x\')')
    out = tmp_path / "orders.csv"
    assert run("pgexport", "-c", cfg, "-t", "Orders", "-o", out).returncode == 0
    r = run("pgimport", "-c", cfg, "-t", "Orders", out)
    assert r.returncode == 0, r.stderr
    assert cluster.sql('SELECT count(*) FROM "Orders"') == [(2,)]
    assert cluster.sql("SELECT to_regclass('orders') IS NULL") == [(True,)]  # no new table appeared
