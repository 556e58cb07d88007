"""Shell completions are generated from each tool's CLI definition and actually complete."""
import subprocess

import pytest

import os

from conftest import BIN, clean_env

TOOLS = ["pgconfig", "pgserverconfig", "pgimport", "pgexport", "pgmonkey"]


def script(tool, shell, tmp_path):
    r = subprocess.run([str(BIN / tool), "--completion", shell], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    path = tmp_path / f"{tool}.{shell}"
    path.write_text(r.stdout)
    return path


@pytest.mark.parametrize("tool", TOOLS)
def test_scripts_are_valid_for_every_shell(tool, tmp_path):
    assert subprocess.run(["bash", "-n", script(tool, "bash", tmp_path)]).returncode == 0
    assert subprocess.run(["zsh", "-n", script(tool, "zsh", tmp_path)]).returncode == 0
    assert subprocess.run(["fish", "--no-execute", script(tool, "fish", tmp_path)]).returncode == 0
    help_text = subprocess.run([str(BIN / tool), "--help"], capture_output=True, text=True).stdout
    bash_text = script(tool, "bash", tmp_path).read_text()
    for word in help_text.split():
        if word.startswith("--") and word[2:3].isalpha():
            assert word.split(",")[0].split("=")[0] in bash_text, word


def bash_complete(tmp_path, tool, words):
    path = script(tool, "bash", tmp_path)
    words_literal = " ".join(f"'{w}'" for w in words)
    code = f'source {path}; COMP_WORDS=({tool} {words_literal}); COMP_CWORD={len(words)}; _{tool}; ' \
           'printf "%s\\n" "${COMPREPLY[@]}"'
    r = subprocess.run(["bash", "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_bash_completes_subcommands_options_and_choices(tmp_path):
    assert bash_complete(tmp_path, "pgconfig", ["te"]) == ["test"]
    assert "--connection-type" in bash_complete(tmp_path, "pgconfig", ["test", "--conn"])
    assert bash_complete(tmp_path, "pgconfig", ["test", "--connection-type", ""]) == [
        "normal", "pool", "async", "async_pool", "all"]
    assert bash_complete(tmp_path, "pgconfig", ["validate", "--format", "j"]) == ["json"]


def test_fish_completes_choices(tmp_path):
    path = script("pgconfig", "fish", tmp_path)
    r = subprocess.run(["fish", "-c", f"source {path}; complete -C 'pgconfig test --connection-type '"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert {line.split("\t")[0] for line in r.stdout.splitlines()} >= {"normal", "pool", "async", "async_pool"}
    r = subprocess.run(["fish", "-c", f"source {path}; complete -C 'pgconfig '"], capture_output=True, text=True)
    assert {line.split("\t")[0] for line in r.stdout.splitlines()} >= {"create", "validate", "test"}


def test_zsh_script_carries_the_choices(tmp_path):
    text = script("pgconfig", "zsh", tmp_path).read_text()
    assert text.startswith("#compdef pgconfig")
    assert "(normal pool async async_pool all)" in text


def test_unknown_shell_is_a_usage_error():
    r = subprocess.run([str(BIN / "pgconfig"), "--completion", "tcsh"], capture_output=True, text=True)
    assert r.returncode == 2 and "bash, zsh or fish" in r.stderr


# ---------------------------------------------------------------- real choices and table names (issue 15)

def complete_with(tmp_path, tool, words, env):
    """bash completion with the tools on PATH and `env` (PG* variables) in the environment."""
    path = script(tool, "bash", tmp_path)
    words_literal = " ".join(f"'{w}'" for w in words)
    code = f'source {path}; COMP_WORDS=({tool} {words_literal}); COMP_CWORD={len(words)}; _{tool}; ' \
           'printf "%s\\n" "${COMPREPLY[@]}"'
    full = clean_env(env)
    full["PATH"] = f"{BIN}:{os.environ['PATH']}"
    r = subprocess.run(["bash", "-c", code], capture_output=True, text=True, env=full, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_encoding_and_library_offer_real_choices(tmp_path):
    enc = bash_complete(tmp_path, "pgimport", ["--encoding", "LAT"])
    assert enc == ["LATIN1", "LATIN2", "LATIN9"]
    assert "UTF-16LE" in bash_complete(tmp_path, "pgexport", ["--encoding", "UTF"])
    assert bash_complete(tmp_path, "pgconfig", ["generate-code", "--library", ""]) == [
        "libpqxx", "libpq", "psycopg", "pgmonkey"]
    assert bash_complete(tmp_path, "pgmonkey", ["pgconfig", "generate-code", "--library", ""]) == [
        "pgmonkey", "psycopg"]
    assert bash_complete(tmp_path, "pgmonkey", ["pgconfig", "te"]) == ["test"]
    assert bash_complete(tmp_path, "pgmonkey", ["pgimport", "--imp"]) == ["--import_file"]


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE", "LATIN1", "LATIN2", "LATIN9",
                                      "WIN1250", "WIN1251", "WIN1252", "WIN1253", "WIN1254", "WIN1257", "KOI8R",
                                      "KOI8U", "SJIS", "EUC_JP", "EUC_KR", "GBK", "BIG5", "ASCII"])
def test_every_offered_encoding_is_accepted_by_both_transfer_tools(run, cluster, tmp_path, encoding):
    data = tmp_path / "a.csv"
    data.write_bytes("a,b\n1,2\n".encode("utf-16" if encoding == "UTF-16" else
                                         "utf-16-le" if encoding == "UTF-16LE" else
                                         "utf-16-be" if encoding == "UTF-16BE" else "ascii"))
    r = run("pgimport", "--encoding", encoding, "--write-import-config", data)
    assert r.returncode == 0, r.stderr
    cluster.sql("CREATE TABLE IF NOT EXISTS compl_enc (a text)")
    e = run("pgexport", "-t", "compl_enc", "-o", tmp_path / "out.csv", "--encoding", encoding, env=cluster.env)
    assert e.returncode == 0, e.stderr


def test_table_names_come_from_the_database(cluster, tmp_path):
    cluster.sql("CREATE SCHEMA IF NOT EXISTS compl")
    cluster.sql("CREATE TABLE IF NOT EXISTS compl_orders (id int)")
    cluster.sql("CREATE TABLE IF NOT EXISTS compl.\"Mixed Case\" (id int)")
    names = complete_with(tmp_path, "pgexport", ["-t", "compl"], cluster.env)
    assert "compl_orders" in names
    listed = subprocess.run([str(BIN / "pgexport"), "--complete-tables", "-t", ""], capture_output=True, text=True,
                            env=clean_env(cluster.env))
    assert listed.returncode == 0
    assert 'compl."Mixed Case"' in listed.stdout.splitlines()  # quoted as it must be typed
    cfg = cluster.write_config(tmp_path / "c.yaml")
    # From -c on the line being completed, with no PG* variables at all.
    assert "compl_orders" in complete_with(tmp_path, "pgimport", ["-c", str(cfg), "--table", "compl_o"], {})
    assert complete_with(tmp_path, "pgmonkey", ["pgexport", "--connconfig", str(cfg), "--table", "compl_o"], {}) == [
        "compl_orders"]
    # Nothing usable: quietly nothing, quickly.
    assert complete_with(tmp_path, "pgexport", ["-p", "1", "-t", ""], {"PGHOST": "127.0.0.1"}) == []
    full = clean_env(cluster.env)
    full["PATH"] = f"{BIN}:{os.environ['PATH']}"
    fish = subprocess.run(["fish", "-c", f"source {script('pgexport', 'fish', tmp_path)}; complete -C 'pgexport -t compl_'"],
                          capture_output=True, text=True, env=full)
    assert "compl_orders" in fish.stdout
    assert "--complete-tables" in script("pgimport", "zsh", tmp_path).read_text()
