"""Compressed input and memory: windows above the 128 MiB limit are refused with a clear error."""
import lzma
import struct
import subprocess
import zlib

import pytest

from conftest import BIN, clean_env

ROWS = b"id,name\n1,one\n2,two\n3,three\n"


@pytest.fixture
def cfg(cluster, tmp_path):
    return cluster.write_config(tmp_path / "conn.yaml")


def imp(run, cfg, *args, **kw):
    return run("pgimport", "-c", cfg, "--progress", "never", *args, **kw)


def imp_stdin(cfg, table, data):
    """pgimport reading `data` (bytes) from standard input."""
    r = subprocess.run([str(BIN / "pgimport"), "-c", str(cfg), "--progress", "never", "-t", table, "-"],
                       input=data, capture_output=True, env=clean_env())
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode(), r.stderr.decode())


def zstd_with_window(log):
    # From a pipe the size is unknown, so zstd keeps the window --long asks for in the header.
    return subprocess.run(["zstd", "-q", "-c", f"--long={log}"], input=ROWS, capture_output=True, check=True).stdout


def xz_with_dictionary(size_byte):
    """An xz file whose LZMA2 header declares the dictionary `size_byte` encodes (28: 64 MiB, as
    xz -9; 32: 256 MiB): written with a small dictionary, then the header byte and its CRC32
    changed, so no test needs the gigabytes an encoder with such a dictionary takes."""
    data = bytearray(lzma.compress(ROWS, format=lzma.FORMAT_XZ,
                                   filters=[{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 16}]))
    start, size = 12, (data[12] + 1) * 4  # the block header follows the 12-byte stream header
    header = data[start:start + size]
    at = header.index(b"\x21\x01") + 2  # filter id LZMA2, one byte of properties: the dictionary
    header[at] = size_byte
    header[-4:] = struct.pack("<I", zlib.crc32(bytes(header[:-4])))
    data[start:start + size] = header
    return bytes(data)


def fresh_table(cluster, name):
    cluster.sql(f"DROP TABLE IF EXISTS {name}")
    cluster.sql(f"CREATE TABLE {name} (id int, name text)")
    cluster.sql(f"INSERT INTO {name} VALUES (0, 'before')")


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_zstd_window_at_the_limit_imports(cluster, run, cfg, tmp_path, how):
    table = f"zw_ok_{how}"
    fresh_table(cluster, table)
    data = zstd_with_window(27)  # 128 MiB: what `zstd -d` reads without options
    f = tmp_path / "w27.csv.zst"
    f.write_bytes(data)
    r = imp(run, cfg, "-t", table, f) if how == "file" else imp_stdin(cfg, table, data)
    assert r.returncode == 0, r.stderr
    assert cluster.sql(f"SELECT count(*), sum(id) FROM {table}") == [(4, 6)]


@pytest.mark.parametrize("how", ["file", "stdin"])
@pytest.mark.parametrize("log,mib", [(28, 256), (31, 2048)])
def test_zstd_window_above_the_limit_is_refused(cluster, run, cfg, tmp_path, how, log, mib):
    table = f"zw_big_{how}_{log}"
    fresh_table(cluster, table)
    data = zstd_with_window(log)
    f = tmp_path / f"w{log}.csv.zst"
    f.write_bytes(data)
    r = imp(run, cfg, "-t", table, f) if how == "file" else imp_stdin(cfg, table, data)
    assert r.returncode == 1, r.stderr
    name = str(f) if how == "file" else "standard input"
    assert f"{name}: zstd: the frame needs a {mib} MiB window, more than the 128 MiB accepted " \
           "(it was written with zstd --long or --ultra)" in r.stderr
    assert f"zstd -dc --long=31 {str(f) if how == 'file' else 'FILE'} | pgimport -t TABLE ... -" in r.stderr
    assert "nothing was imported" in r.stderr and "corrupt" not in r.stderr
    assert cluster.sql(f"SELECT count(*), sum(id) FROM {table}") == [(1, 0)]
    # The way the hint gives works.
    text = subprocess.run(["zstd", "-q", "-dc", "--long=31"], input=data, capture_output=True, check=True).stdout
    r = imp_stdin(cfg, table, text)
    assert r.returncode == 0, r.stderr
    assert cluster.sql(f"SELECT count(*), sum(id) FROM {table}") == [(4, 6)]


def test_xz_dictionary_of_xz_9_imports(cluster, run, cfg, tmp_path):
    fresh_table(cluster, "xw_ok")
    f = tmp_path / "d64.csv.xz"
    f.write_bytes(xz_with_dictionary(28))
    assert lzma.decompress(f.read_bytes()) == ROWS
    r = imp(run, cfg, "-t", "xw_ok", f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT count(*), sum(id) FROM xw_ok") == [(4, 6)]


def test_xz_dictionary_above_the_limit_is_refused(cluster, run, cfg, tmp_path):
    fresh_table(cluster, "xw_big")
    f = tmp_path / "d256.csv.xz"
    f.write_bytes(xz_with_dictionary(32))
    assert lzma.decompress(f.read_bytes()) == ROWS  # a valid file: only its dictionary is large
    r = imp(run, cfg, "-t", "xw_big", f)
    assert r.returncode == 1, r.stderr
    assert f"{f}: xz: the stream needs 257 MiB to decode, for a dictionary larger than the 128 MiB accepted" in r.stderr
    assert f"xz -dc {f} | pgimport -t TABLE ... -" in r.stderr and "nothing was imported" in r.stderr
    assert cluster.sql("SELECT count(*), sum(id) FROM xw_big") == [(1, 0)]
