"""pgconfig generate-code writes C++ for the libpqxx the user has (pkg-config) or the one asked for
with --libpqxx; a program written for the other version stops at compile time, saying why. That the
matching program compiles warning-free and runs is test_generate_code.py, on each release."""
import json
import subprocess

import pytest

from conftest import run_tool

CONFIG = "connection_type: 'normal'\nconnection_settings:\n  host: '127.0.0.1'\n  dbname: 'postgres'\n"


def installed_major():
    out = subprocess.run(["pkg-config", "--modversion", "libpqxx"], capture_output=True, text=True, check=True)
    return int(out.stdout.split(".")[0]), out.stdout.strip()


def generate(tmp_path, *extra):
    cfg = tmp_path / "app.yaml"
    cfg.write_text(CONFIG)
    return run_tool("pgconfig", "generate-code", "-c", cfg, "--format", "json", *extra)


def compile_only(tmp_path, code):
    src = tmp_path / "prog.cpp"
    src.write_text(code)
    flags = subprocess.run(["pkg-config", "--cflags", "libpqxx", "libpq", "yaml-cpp"], capture_output=True, text=True,
                           check=True).stdout.split()
    return subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", *flags, str(src)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("connection_type", ["normal", "pool"])
def test_default_is_the_installed_libpqxx(tmp_path, connection_type):
    major, version = installed_major()
    r = generate(tmp_path, "--connection-type", connection_type)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["libpqxx"] == (7 if major >= 7 else 6)
    assert j["libpqxx_from"] == f"pkg-config libpqxx {version}"
    assert compile_only(tmp_path, j["code"]).returncode == 0


@pytest.mark.parametrize("connection_type", ["normal", "pool"])
def test_a_program_for_the_other_libpqxx_says_so_when_compiled(tmp_path, connection_type):
    major, _ = installed_major()
    other = 6 if major >= 7 else 7
    r = generate(tmp_path, "--connection-type", connection_type, "--libpqxx", str(other))
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["libpqxx"] == other and j["libpqxx_from"] == "--libpqxx"
    c = compile_only(tmp_path, j["code"])
    assert c.returncode != 0
    assert f"written for libpqxx {other}; for libpqxx {7 if other == 6 else 6} generate it again" in c.stderr


def test_text_output_names_the_libpqxx_version(tmp_path):
    major, _ = installed_major()
    out = tmp_path / "p.cpp"
    cfg = tmp_path / "app.yaml"
    cfg.write_text(CONFIG)
    r = run_tool("pgconfig", "generate-code", "-c", cfg, "-o", out, "--libpqxx", "7")
    assert r.returncode == 0, r.stderr
    assert f"wrote {out} (cpp/libpqxx 7, normal)" in r.stdout
    assert "written for libpqxx 7 (--libpqxx); --libpqxx 6 writes it for the other" in r.stderr


@pytest.mark.parametrize("args", [["--libpqxx", "5"], ["--language", "c", "--libpqxx", "6"]])
def test_bad_libpqxx_choices_are_usage_errors(tmp_path, args):
    r = generate(tmp_path, *args)
    assert r.returncode == 2, r.stderr
    assert "--libpqxx" in r.stderr
