"""Shell completions are generated from each tool's CLI definition and actually complete."""
import subprocess

import pytest

from conftest import BIN

TOOLS = ["pgconfig", "pgserverconfig", "pgimport", "pgexport"]


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
