"""`pgmonkey`: pgmonkey 4's command lines, unchanged, with pgmonkey's semantics, run by the native
tools against the real throw-away cluster."""
import json
import os
import stat

import pytest

from conftest import BIN


def pgm(run, *args, **kw):
    return run("pgmonkey", *args, **kw)


def test_create_writes_a_template_and_keeps_an_existing_file(run, tmp_path):
    target = tmp_path / "conf" / "pg.yaml"
    r = pgm(run, "pgconfig", "create", "--type", "pg", "--filepath", target)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "connection_settings:" in target.read_text()
    target.write_text("mine: 1\n")
    again = pgm(run, "pgconfig", "create", "--type", "pg", "--filepath", target)
    assert again.returncode == 0  # pgmonkey: a message, success, the file untouched
    assert again.stdout == f"Configuration file already exists: {target}\nEdit this file to update settings.\n"
    assert target.read_text() == "mine: 1\n"
    # --connconfig is the other spelling; argparse prefixes work.
    assert pgm(run, "pgconfig", "create", "--connc", target).returncode == 0
    assert target.read_text() == "mine: 1\n"


def test_test_with_connection_type_and_resolve_env(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml", password="${PGM_TEST_PW}")
    r = pgm(run, "pgconfig", "test", "--connconfig", cfg, "--connection-type", "pool", "--resolve-env",
            env={"PGM_TEST_PW": cluster.password})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("pool: OK")
    assert cluster.password not in r.stdout + r.stderr
    f = pgm(run, "pgconfig", "test", "--filepath", cfg, "--connection-t", "async", "--resolve",
            env={"PGM_TEST_PW": cluster.password})
    assert f.returncode == 0 and f.stdout.startswith("async: OK"), f.stderr
    bad = pgm(run, "pgconfig", "test", "--connconfig", cfg, "--connection-type", "pooled")
    assert bad.returncode == 2
    assert "invalid choice: 'pooled' (choose from normal, pool, async, async_pool)" in bad.stderr


def test_generate_code_prints_python_for_the_pgmonkey_library_by_default(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml")
    r = pgm(run, "pgconfig", "generate-code", "--filepath", cfg)
    assert r.returncode == 0, r.stderr
    assert "from pgmonkey import" in r.stdout and "#include" not in r.stdout
    p = pgm(run, "pgconfig", "generate-code", "--filepath", cfg, "--library", "psycopg", "--connection-type", "pool")
    assert p.returncode == 0, p.stderr
    assert "psycopg_pool" in p.stdout and "pgmonkey import" not in p.stdout


def test_pgserverconfig_hints_and_audit(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml")
    h = pgm(run, "pgserverconfig", "--filepath", cfg)
    assert h.returncode == 0, h.stderr
    assert "max_connections" in h.stdout
    a = pgm(run, "pgserverconfig", "--filep", cfg, "--audit")
    assert a.returncode in (0, 1), a.stderr
    assert "summary:" in a.stdout


def test_pgimport_review_first_then_import(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml")
    cluster.sql("DROP TABLE IF EXISTS pgm_people")
    data = tmp_path / "people.csv"
    data.write_text("id,name\n1,alice\n2,bob\n")
    first = pgm(run, "pgimport", "--table", "pgm_people", "--connconfig", cfg, "--import_file", data)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "people.yaml").exists()
    assert "nothing was imported" in first.stdout
    assert cluster.sql("SELECT to_regclass('pgm_people') IS NULL") == [(True,)]
    second = pgm(run, "pgimport", "--table", "pgm_people", "--conn", cfg, "--import", data)
    assert second.returncode == 0, second.stderr
    assert cluster.sql("SELECT id, name FROM pgm_people ORDER BY id") == [("1", "alice"), ("2", "bob")]


def test_pgexport_overwrites_and_accepts_prefixes(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml")
    cluster.sql("DROP TABLE IF EXISTS pgm_out")
    cluster.sql("CREATE TABLE pgm_out (id int, name text)")
    cluster.sql("INSERT INTO pgm_out VALUES (1, 'a')")
    out = tmp_path / "out.csv"
    out.write_text("old contents\n")
    r = pgm(run, "pgexport", "--table", "pgm_out", "--connconfig", cfg, "--export_file", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "id,name\n1,a\n"
    cluster.sql("INSERT INTO pgm_out VALUES (2, 'b')")
    again = pgm(run, "pgexport", "--tab", "pgm_out", "--conn", cfg, "--export", out)
    assert again.returncode == 0, again.stderr
    assert out.read_text() == "id,name\n1,a\n2,b\n"
    # Without --export_file: TABLE.csv in the current folder.
    d = pgm(run, "pgexport", "--table", "pgm_out", "--connconfig", cfg, cwd=tmp_path)
    assert d.returncode == 0, d.stderr
    assert (tmp_path / "pgm_out.csv").read_text() == "id,name\n1,a\n2,b\n"


def test_version_help_and_argparse_errors(run, tmp_path):
    v = pgm(run, "--version")
    assert v.returncode == 0 and v.stdout.startswith("pgmonkey")
    h = pgm(run, "--help")
    assert h.returncode == 0 and "pgconfig" in h.stdout and "pgimport" in h.stdout
    assert pgm(run, "pgimport", "--help").stdout.startswith("usage: pgmonkey pgimport")
    assert "--connection-type" in pgm(run, "pgconfig", "test", "-h").stdout
    amb = pgm(run, "pgconfig", "test", "--conn", "x.yaml")
    assert amb.returncode == 2
    assert "ambiguous option: --conn could match --connconfig, --connection-type" in amb.stderr
    miss = pgm(run, "pgimport", "--table", "t")
    assert miss.returncode == 2
    assert "the following arguments are required: --import_file, --connconfig" in miss.stderr
    unk = pgm(run, "pgexport", "--table", "t", "--connconfig", "c.yaml", "--bogus")
    assert unk.returncode == 2 and "unrecognized arguments: --bogus" in unk.stderr
    assert pgm(run, "nosuch").returncode == 2
    assert pgm(run).returncode == 2
    # --opt=value, as argparse reads it.
    eq = pgm(run, "pgconfig", "create", f"--filepath={tmp_path / 'eq.yaml'}")
    assert eq.returncode == 0 and (tmp_path / "eq.yaml").exists()


def test_man_page_documents_every_option_and_the_differences(run):
    import subprocess
    page = BIN.parent / "man" / "pgmonkey.1"
    assert page.exists()
    r = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True, text=True,
                       env={**os.environ, "MANWIDTH": "100", "LC_ALL": "C.UTF-8"})
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    text = r.stdout.replace("\u2010", "-").replace("\u2011", "-").replace("\u2212", "-")
    for section in ("NAME", "SYNOPSIS", "DIFFERENCES FROM THE NATIVE TOOLS", "EXIT STATUS", "EXAMPLES"):
        assert section in text
    for cmd in (["pgconfig", "create"], ["pgconfig", "test"], ["pgconfig", "generate-code"],
                ["pgserverconfig"], ["pgimport"], ["pgexport"]):
        h = run("pgmonkey", *cmd, "--help")
        assert h.returncode == 0
        for word in h.stdout.split():
            if word.startswith("--"):
                assert word.strip(",") in text, (cmd, word)
