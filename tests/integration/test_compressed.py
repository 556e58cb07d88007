"""Compressed CSV: pgimport reads gzip/zstd/bzip2/xz by their magic bytes, pgexport writes them."""
import gzip
import json
import shutil
import subprocess

import pytest

from conftest import BIN, clean_env

TOOLS = {  # format → (command-line compressor, its decompressor, the suffix)
    "gzip": (["gzip", "-c"], ["gzip", "-dc"], ".gz"),
    "pigz": (["pigz", "-c"], ["pigz", "-dc"], ".gz"),
    "zstd": (["zstd", "-q", "-c"], ["zstd", "-q", "-dc"], ".zst"),
    "bzip2": (["bzip2", "-c"], ["bzip2", "-dc"], ".bz2"),
    "xz": (["xz", "-c"], ["xz", "-dc"], ".xz"),
}
FORMATS = ["gzip", "zstd", "bzip2", "xz"]
FORMAT_OF = {"gzip": "gzip", "pigz": "gzip", "zstd": "zstd", "bzip2": "bzip2", "xz": "xz"}


def have(tool):
    return shutil.which(TOOLS[tool][0][0]) is not None


def compress(tool, data):
    return subprocess.run(TOOLS[tool][0], input=data, capture_output=True, check=True).stdout


def decompress(tool, data):
    return subprocess.run(TOOLS[tool][1], input=data, capture_output=True, check=True).stdout


def csv_rows(start, count, header=True):
    lines = ["id,name,note"] if header else []
    lines += [f'{i},name {i} ünï €,"note, {i}\nsecond line"' for i in range(start, start + count)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def cfg(cluster, tmp_path):
    return cluster.write_config(tmp_path / "conn.yaml")


def imp(run, cfg, *args, **kw):
    return run("pgimport", "-c", cfg, "--progress", "never", *args, **kw)


def exp(run, cfg, *args, **kw):
    return run("pgexport", "-c", cfg, "--progress", "never", *args, **kw)


def table_state(cluster, table):
    return cluster.sql(f"SELECT count(*), coalesce(sum(id::int), 0), coalesce(max(md5(name || note)), '') FROM {table}")


@pytest.mark.parametrize("tool", list(TOOLS))
def test_files_made_by_the_tools_round_trip(cluster, run, cfg, tmp_path, tool):
    if not have(tool):
        pytest.fail(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    plain = csv_rows(1, 30000)
    f = tmp_path / f"data.csv{TOOLS[tool][2]}"
    f.write_bytes(compress(tool, plain))
    table = f"z_{tool}"
    r = imp(run, cfg, "-t", table, f, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["rows"] == 30000
    assert doc["compression"] == FORMAT_OF[tool]
    assert doc["compressed_bytes"] == f.stat().st_size
    assert doc["bytes"] == len(plain)
    assert cluster.sql(f"SELECT count(*), sum(id::int), min(note) FROM {table}") == [
        (30000, 30000 * 30001 // 2, "note, 1\nsecond line")]
    # And back out through the same format, read by the same tool.
    out = tmp_path / f"back.csv{TOOLS[tool][2]}"
    r = exp(run, cfg, "-t", table, "-o", out)
    assert r.returncode == 0, r.stderr
    assert f"{FORMAT_OF[tool]}" in r.stdout and " as " in r.stdout
    assert decompress(tool, out.read_bytes()) == plain


def test_summary_shows_both_sizes(cluster, run, cfg, tmp_path):
    f = tmp_path / "sizes.csv.gz"
    f.write_bytes(gzip.compress(csv_rows(1, 5000)))
    r = imp(run, cfg, "-t", "z_sizes", f)
    assert r.returncode == 0, r.stderr
    assert "imported 5000 rows (" in r.stdout and " kB gzip) from " + str(f) in r.stdout


@pytest.mark.parametrize("tool", FORMATS)
def test_multi_member_and_multi_frame(cluster, run, cfg, tmp_path, tool):
    # cat a.gz b.gz (pigz, parallel bzip2 and xz write the same kind of file): all members count.
    data = compress(tool, csv_rows(1, 1000)) + compress(tool, csv_rows(1001, 1000, header=False)) + compress(
        tool, csv_rows(2001, 3, header=False))
    f = tmp_path / "many.csv.bin"  # the suffix says nothing: the magic bytes do
    f.write_bytes(data)
    r = imp(run, cfg, "-t", f"z_multi_{tool}", f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql(f"SELECT count(*), max(id::int) FROM z_multi_{tool}") == [(2003, 2003)]


@pytest.mark.parametrize("tool", FORMATS)
def test_standard_input(cluster, run, cfg, tmp_path, tool):
    data = compress(tool, csv_rows(1, 2000))
    r = subprocess.run([str(BIN / "pgimport"), "-c", str(cfg), "--progress", "never", "-t", f"z_stdin_{tool}", "-"],
                       input=data, capture_output=True, env=clean_env())
    assert r.returncode == 0, r.stderr
    assert cluster.sql(f"SELECT count(*) FROM z_stdin_{tool}") == [(2000,)]


def damaged(tool, kind):
    data = bytearray(compress(tool, csv_rows(1, 40000)))
    if kind == "truncated":
        return bytes(data[: len(data) * 2 // 3])
    for i in range(len(data) // 2, len(data) // 2 + 64):  # a run of bytes in the middle
        data[i] ^= 0x5A
    return bytes(data)


@pytest.mark.parametrize("kind", ["corrupt", "truncated"])
@pytest.mark.parametrize("tool", FORMATS)
def test_damaged_archives_change_nothing(cluster, run, cfg, tmp_path, tool, kind):
    table = f"z_bad_{tool}_{kind}"
    cluster.sql(f"DROP TABLE IF EXISTS {table}")
    cluster.sql(f"CREATE TABLE {table} (id int, name text, note text)")
    cluster.sql(f"INSERT INTO {table} VALUES (0, 'before', 'x')")
    before = table_state(cluster, table)
    f = tmp_path / f"bad.csv{TOOLS[tool][2]}"
    f.write_bytes(damaged(tool, kind))
    r = imp(run, cfg, "-t", table, f)
    assert r.returncode == 1, r.stderr
    assert str(f) in r.stderr and "at byte " in r.stderr and f"of the {tool} data" in r.stderr
    assert ("truncated" in r.stderr) == (kind == "truncated")
    assert "nothing was imported" in r.stderr
    assert table_state(cluster, table) == before
    # A table pgimport would create is not left behind either.
    r = imp(run, cfg, "-t", f"{table}_new", f)
    assert r.returncode == 1
    assert cluster.sql(f"SELECT to_regclass('{table}_new') IS NULL") == [(True,)]


def test_truncated_at_a_byte_offset_is_named(cluster, run, cfg, tmp_path):
    data = gzip.compress(csv_rows(1, 100))
    f = tmp_path / "cut.csv.gz"
    f.write_bytes(data[:-5])  # inside the trailer: all the text is there, the CRC and size are not
    r = imp(run, cfg, "-t", "z_cut", f)
    assert r.returncode == 1
    assert f"{f}: the file ends inside a compressed stream (truncated) at byte {len(data) - 5} of the gzip data" in \
        r.stderr
    assert cluster.sql("SELECT to_regclass('z_cut') IS NULL") == [(True,)]


def test_trailing_garbage_is_an_error(cluster, run, cfg, tmp_path):
    f = tmp_path / "junk.csv.gz"
    f.write_bytes(gzip.compress(csv_rows(1, 10)) + b"not gzip")
    r = imp(run, cfg, "-t", "z_junk", f)
    assert r.returncode == 1
    assert "corrupt data" in r.stderr and str(f) in r.stderr


def test_bad_row_names_the_line_of_the_decompressed_text(cluster, run, cfg, tmp_path):
    text = csv_rows(1, 3000).decode().replace("\n1500,", "\n1500,oops,too,many,")
    f = tmp_path / "badrow.csv.zst"
    f.write_bytes(compress("zstd", text.encode()))
    cluster.sql("CREATE TABLE z_badrow (id int, name text, note text)")
    r = imp(run, cfg, "-t", "z_badrow", f)
    assert r.returncode == 1
    # Each record spans two lines: record 1500 starts on line 2 * 1500.
    assert f"{f}:{2 * 1500}" in r.stderr, r.stderr
    assert cluster.sql("SELECT count(*) FROM z_badrow") == [(0,)]


def test_server_error_names_the_line_after_a_rescan(cluster, run, cfg, tmp_path):
    text = csv_rows(1, 3000).decode().replace("\n2222,", "\nnot-a-number,")
    f = tmp_path / "typed.csv.xz"
    f.write_bytes(compress("xz", text.encode()))
    cluster.sql("CREATE TABLE z_typed (id int, name text, note text)")
    r = imp(run, cfg, "-t", "z_typed", f)
    assert r.returncode == 1
    assert f"{f}:{2 * 2222}" in r.stderr, r.stderr
    assert cluster.sql("SELECT count(*) FROM z_typed") == [(0,)]


@pytest.mark.parametrize("sidecar", ["data.yaml", "data.csv.yaml"])
def test_sidecar_ignores_the_compression_suffix(cluster, run, cfg, tmp_path, sidecar):
    f = tmp_path / "data.csv.bz2"
    f.write_bytes(compress("bzip2", b"a|b\n1|x\n2|y\n"))
    (tmp_path / sidecar).write_text("delimiter: '|'\nhas_headers: true\n")
    table = "z_side_" + sidecar.replace(".", "_")
    r = imp(run, cfg, "-t", table, f)
    assert r.returncode == 0, r.stderr
    assert f"import config: {tmp_path / sidecar}" in r.stderr
    assert cluster.sql(f"SELECT a, b FROM {table} ORDER BY a") == [("1", "x"), ("2", "y")]


@pytest.fixture
def source(cluster):
    cluster.sql("DROP TABLE IF EXISTS z_src CASCADE")
    cluster.sql("CREATE TABLE z_src (id int, name text, note text)")
    cluster.sql("INSERT INTO z_src SELECT i, 'name ' || i, repeat('n', i % 50) FROM generate_series(1, 20000) i")
    return cluster


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_by_suffix_and_by_flag(source, run, cfg, tmp_path, fmt):
    plain = tmp_path / "plain.csv"
    assert exp(run, cfg, "-t", "z_src", "-o", plain).returncode == 0
    by_suffix = tmp_path / f"out.csv{TOOLS[fmt][2]}"
    r = exp(run, cfg, "-t", "z_src", "-o", by_suffix, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["compression"] == fmt and doc["compressed_bytes"] == by_suffix.stat().st_size
    assert doc["bytes"] == plain.stat().st_size
    assert decompress(fmt, by_suffix.read_bytes()) == plain.read_bytes()
    # --compress over the suffix, with a level; and to standard output.
    odd = tmp_path / "out.data"
    r = exp(run, cfg, "-t", "z_src", "-o", odd, "--compress", fmt, "--compress-level", "1")
    assert r.returncode == 0, r.stderr
    assert decompress(fmt, odd.read_bytes()) == plain.read_bytes()
    r = subprocess.run([str(BIN / "pgexport"), "-c", str(cfg), "-t", "z_src", "-o", "-", "--compress", fmt],
                       capture_output=True, env=clean_env())
    assert r.returncode == 0, r.stderr
    assert decompress(fmt, r.stdout) == plain.read_bytes()


def test_export_suffix_none_and_stdout_plain(source, run, cfg, tmp_path):
    f = tmp_path / "plain.csv.gz"
    r = exp(run, cfg, "-t", "z_src", "-o", f, "--compress", "none")
    assert r.returncode == 0, r.stderr
    assert f.read_bytes().startswith(b"id,name,note\n")
    r = subprocess.run([str(BIN / "pgexport"), "-c", str(cfg), "-t", "z_src", "-o", "-"], capture_output=True,
                       env=clean_env())
    assert r.stdout.startswith(b"id,name,note\n")  # -o - is compressed only with --compress


@pytest.mark.parametrize("args, message", [
    (["--compress", "lz4"], "--compress lz4: not a compression format"),
    (["--compress", "gzip", "--compress-level", "10"], "--compress-level 10: gzip levels go from 1 to 9"),
    (["--compress", "zstd", "--compress-level", "0"], "--compress-level 0: zstd levels go from 1 to 19"),
    (["--compress", "xz", "--compress-level", "-1"], "--compress-level -1: xz levels go from 0 to 9"),
    (["--compress-level", "3"], "--compress-level needs a compressed output"),
])
def test_export_bad_compression_flags_are_usage_errors(source, run, cfg, tmp_path, args, message):
    r = exp(run, cfg, "-t", "z_src", "-o", tmp_path / "x.csv", *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert list(tmp_path.glob("x.csv*")) == []


def test_export_failure_leaves_no_compressed_file(source, run, cfg, tmp_path):
    r = exp(run, cfg, "-t", "z_src", "--columns", "id,nope", "-o", tmp_path / "x.csv.zst")
    assert r.returncode == 2
    cluster = source
    cluster.sql("CREATE OR REPLACE FUNCTION z_fail(i int) RETURNS int LANGUAGE plpgsql AS "
                "$$ BEGIN IF i = 15000 THEN RAISE 'boom'; END IF; RETURN i; END $$")
    cluster.sql("CREATE OR REPLACE VIEW z_failing AS SELECT z_fail(id) AS id, name FROM z_src")
    r = exp(run, cfg, "-t", "z_failing", "-o", tmp_path / "x.csv.gz")
    assert r.returncode == 1, r.stderr
    assert "boom" in r.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("x.")] == []


def test_export_then_import_each_format(source, run, cfg, tmp_path):
    for fmt in FORMATS:
        f = tmp_path / f"rt.csv{TOOLS[fmt][2]}"
        assert exp(run, cfg, "-t", "z_src", "-o", f).returncode == 0
        r = imp(run, cfg, "-t", f"z_rt_{fmt}", f)
        assert r.returncode == 0, r.stderr
        assert source.sql(f"SELECT count(*), sum(id::int), sum(length(note)) FROM z_rt_{fmt}") == source.sql(
            "SELECT count(*), sum(id::int), sum(length(note)) FROM z_src")


# Several files in one call: one transaction, per-file sniffing, errors naming file:line.

def test_several_files_mixed_compressed_and_plain(cluster, run, cfg, tmp_path):
    a = tmp_path / "a.csv"
    a.write_bytes(csv_rows(1, 100))
    b = tmp_path / "b.csv.gz"
    b.write_bytes(gzip.compress(csv_rows(101, 200).replace(b",", b";")))  # its own dialect
    c = tmp_path / "c.csv.zst"
    # Its own column order: matched by the header's names.
    c.write_bytes(compress("zstd", b"note,id,name\n" + b"".join(
        f'"note {i}",{i},name {i}\n'.encode() for i in range(301, 311))))
    r = imp(run, cfg, "-t", "z_many", a, b, c, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["rows"] == 310 and doc["table"] == "public.z_many"
    assert [(f["source"], f["rows"], f["compression"]) for f in doc["files"]] == [
        (str(a), 100, None), (str(b), 200, "gzip"), (str(c), 10, "zstd")]
    assert doc["files"][1]["compressed_bytes"] == b.stat().st_size
    assert doc["files"][0]["bytes"] == a.stat().st_size
    assert cluster.sql("SELECT count(*), sum(id::int) FROM z_many") == [(310, 310 * 311 // 2)]
    assert cluster.sql("SELECT note FROM z_many WHERE id = '305'") == [("note 305",)]
    r = imp(run, cfg, "-t", "z_many", a, c)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("imported 100 rows") and str(a) in lines[0]
    assert lines[1].startswith("imported 10 rows") and "zstd) from " + str(c) in lines[1]
    assert lines[2].startswith("imported 110 rows from 2 files into public.z_many in one transaction")


def test_several_files_third_bad_row_imports_nothing(cluster, run, cfg, tmp_path):
    files = []
    for i, data in enumerate([csv_rows(1, 50), csv_rows(51, 50), csv_rows(101, 50)]):
        if i == 2:
            data = data.replace(b"\n130,", b"\n130,x,y,z,")
        f = tmp_path / f"part{i}.csv.gz"
        f.write_bytes(gzip.compress(data))
        files.append(f)
    r = imp(run, cfg, "-t", "z_third", *files)
    assert r.returncode == 1
    assert f"{files[2]}:{2 * 30}" in r.stderr, r.stderr  # record 30 of the third file, 2 lines each
    assert cluster.sql("SELECT to_regclass('z_third') IS NULL") == [(True,)]
    cluster.sql("CREATE TABLE z_third (id int, name text, note text)")
    r = imp(run, cfg, "-t", "z_third", *files)
    assert r.returncode == 1
    assert cluster.sql("SELECT count(*) FROM z_third") == [(0,)]


def test_several_files_server_error_in_the_second_names_it(cluster, run, cfg, tmp_path):
    cluster.sql("CREATE TABLE z_typed_many (id int, name text, note text)")
    a = tmp_path / "a.csv"
    a.write_bytes(csv_rows(1, 50))
    b = tmp_path / "b.csv.xz"
    b.write_bytes(compress("xz", csv_rows(51, 50).replace(b"\n77,", b"\nseventy-seven,")))
    r = imp(run, cfg, "-t", "z_typed_many", a, b)
    assert r.returncode == 1
    assert f"{b}:{2 * 27}" in r.stderr, r.stderr
    assert cluster.sql("SELECT count(*) FROM z_typed_many") == [(0,)]


def test_several_files_unmatched_header_fails_before_any_data(cluster, run, cfg, tmp_path):
    cluster.sql("CREATE TABLE z_unmatched (id int, name text, note text)")
    cluster.sql("INSERT INTO z_unmatched VALUES (0, 'keep', 'me')")
    a = tmp_path / "a.csv"
    a.write_bytes(csv_rows(1, 10))
    b = tmp_path / "b.csv"
    b.write_bytes(b"id,colour\n1,red\n")
    r = imp(run, cfg, "-t", "z_unmatched", "--truncate", a, b)
    assert r.returncode == 1
    assert str(b) in r.stderr and "colour" in r.stderr
    assert "imported" not in r.stdout
    assert cluster.sql("SELECT id, name FROM z_unmatched") == [(0, "keep")]


def test_several_files_usage_errors(cluster, run, cfg, tmp_path):
    a = tmp_path / "a.csv"
    a.write_bytes(csv_rows(1, 3))
    r = imp(run, cfg, "-t", "z_twice", a, tmp_path / "." / "a.csv")
    assert r.returncode == 2 and "is given twice" in r.stderr
    r = imp(run, cfg, "-t", "z_twice", a, "-")
    assert r.returncode == 2 and "standard input" in r.stderr
    assert cluster.sql("SELECT to_regclass('z_twice') IS NULL") == [(True,)]


def test_several_files_dry_run_changes_nothing(cluster, run, cfg, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv.bz2"
    a.write_bytes(csv_rows(1, 5))
    b.write_bytes(compress("bzip2", csv_rows(6, 5)))
    r = imp(run, cfg, "-t", "z_dry_many", "--dry-run", a, b)
    assert r.returncode == 0, r.stderr
    assert "checked 10 rows from 2 files" in r.stdout
    assert cluster.sql("SELECT to_regclass('z_dry_many') IS NULL") == [(True,)]


def test_several_files_warnings_name_the_file_once(cluster, run, cfg, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv.gz"
    a.write_bytes(b"x,y\n1,2\n")
    b.write_bytes(gzip.compress(b"x,y\nfoo,bar\n"))  # all text: a header cannot be told from data
    r = imp(run, cfg, "-t", "z_warn_many", a, b)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("could not tell from the data whether the first row is a header") == 1
    assert f"warning: {b}: could not tell" in r.stderr


def test_progress_follows_the_compressed_bytes(cluster, run, cfg, tmp_path):
    f = tmp_path / "progress.csv.gz"
    f.write_bytes(gzip.compress(csv_rows(1, 20000)))
    size = f.stat().st_size
    assert 1000 <= size < 1000000
    r = run("pgimport", "-c", cfg, "-t", "z_progress", f, "--progress", "always")
    assert r.returncode == 0, r.stderr
    shown = f"{size / 1000:.1f} kB"
    assert "100% " in r.stderr and f"{shown} of {shown}" in r.stderr, r.stderr
