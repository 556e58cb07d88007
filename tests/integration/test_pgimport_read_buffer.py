"""pgimport's read buffer: one read is 64 kB plus what is left of an unfinished record; records far
longer than that, between short ones, grow it and it shrinks back after them. Nothing is lost."""
import hashlib
import subprocess

import pytest

from conftest import BIN, clean_env

COMPRESSORS = {"plain": None, "gzip": ["gzip", "-c"], "zstd": ["zstd", "-q", "-c"]}
# Lengths around the read (64 kB), the read and the carry (128 kB), the sniffed sample (256 kB)
# and well past them; every third one quoted with line breaks inside.
LONG = [65_536 - 30, 65_536, 65_537, 131_072 + 7, 70_000, 262_144 + 3, 1_500_000, 300_000, 10]


def body(i, n):
    text = f"r{i}:" + "abcdefghij" * (n // 10 + 1)
    text = text[:n]
    if i % 3 == 0:  # quoted, with line breaks and doubled quotes inside
        text = text[: n // 2] + '\n"x"\n' + text[n // 2:]
    return text


def quote(text):
    return '"' + text.replace('"', '""') + '"'


def make_rows():
    rows = [(i, f"short {i}") for i in range(4000)]  # the sniffed sample is all short records
    for k, n in enumerate(LONG * 3):
        rows.append((len(rows), body(k, n)))
        rows += [(len(rows) + j, f"after {k} {j}") for j in range(k % 4)]
    rows += [(len(rows) + j, f"tail {j}") for j in range(500)]
    return rows


@pytest.fixture
def cfg(cluster, tmp_path):
    return cluster.write_config(tmp_path / "conn.yaml")


@pytest.mark.parametrize("codec", list(COMPRESSORS))
@pytest.mark.parametrize("how", ["file", "stdin"])
def test_long_records_between_short_ones_arrive_whole(cluster, run, cfg, tmp_path, codec, how):
    rows = make_rows()
    text = ("id,body\n" + "".join(f"{i},{quote(b)}\n" for i, b in rows)).encode()
    data = text if COMPRESSORS[codec] is None else subprocess.run(
        COMPRESSORS[codec], input=text, capture_output=True, check=True).stdout
    table = f"rb_{codec}_{how}"
    cluster.sql(f"DROP TABLE IF EXISTS {table}")
    cluster.sql(f"CREATE TABLE {table} (id int, body text)")
    if how == "file":
        f = tmp_path / ("data.csv" + {"plain": "", "gzip": ".gz", "zstd": ".zst"}[codec])
        f.write_bytes(data)
        r = run("pgimport", "-c", cfg, "--progress", "never", "-t", table, f)
        assert r.returncode == 0, r.stderr
    else:
        r = subprocess.run([str(BIN / "pgimport"), "-c", str(cfg), "--progress", "never", "-t", table, "-"],
                           input=data, capture_output=True, env=clean_env())
        assert r.returncode == 0, r.stderr.decode()
    want = hashlib.md5("".join(b for _, b in rows).encode()).hexdigest()
    got = cluster.sql(f"SELECT count(*), sum(length(body)), md5(string_agg(body, '' ORDER BY id)) FROM {table}")
    assert got == [(len(rows), sum(len(b) for _, b in rows), want)]
