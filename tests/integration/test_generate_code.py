"""pgconfig generate-code: every generated program is compiled (C, C++) or run (Python) against a
real throw-away cluster; none of them may contain the password."""
import json
import py_compile
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import clean_env, free_port, run_tool, start_cluster

CPP_TYPES = ["normal", "pool", "async", "async_pool"]
C_TYPES = ["normal", "async"]
PY_TYPES = ["normal", "pool", "async", "async_pool"]
PYTHON = "/usr/bin/python3"  # Debian's, with python3-psycopg and python3-psycopg-pool


def pkg_config(*packages):
    out = subprocess.run(["pkg-config", "--cflags", "--libs", *packages], check=True, capture_output=True, text=True)
    return out.stdout.split()


def settings_sections(pool_min=1, pool_max=2, timeout=10, bad_setting=False):
    """Session and pool sections; a bad setting makes applying the session settings fail."""
    session = {"statement_timeout": "soon" if bad_setting else "20000", "lock_timeout": "5000"}
    pool = {"min_size": pool_min, "max_size": pool_max, "timeout": timeout, "check_on_checkout": True}
    return {"sync_settings": session, "async_settings": dict(session), "pool_settings": pool,
            "async_pool_settings": dict(pool)}


def generate(run, cfg, out, language, connection_type, library=None, *extra, env=None):
    args = ["generate-code", "-c", cfg, "--language", language, "--connection-type", connection_type, "-o", out]
    if library:
        args += ["--library", library]
    r = run("pgconfig", *args, *extra, env=env)
    assert r.returncode == 0, r.stderr
    return out.read_text()


def run_program(cmd, env=None, cwd=None):
    return subprocess.run([str(c) for c in cmd], env=clean_env(env), capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def ref_env(cluster):
    return {"CG_PASSWORD": cluster.password, "CG_HOST": cluster.host, "CG_PORT": str(cluster.port)}


@pytest.fixture(scope="module")
def built(cluster, tmp_path_factory):
    """Generates every C and C++ program from one config and compiles them, two compilers at a time."""
    d = tmp_path_factory.mktemp("codegen")
    cfg = cluster.write_config(d / "app.yaml", sections=settings_sections(pool_min=2, pool_max=2))
    jobs, texts = [], {}
    cxx_flags = ["-std=c++17", "-O0", "-Wall", "-Wextra", "-Werror", "-pthread"]
    cxx_libs = pkg_config("libpqxx", "libpq", "yaml-cpp")
    for t in CPP_TYPES:
        src = d / f"cpp_{t}.cpp"
        texts[("cpp", t)] = generate(run_tool, cfg, src, "cpp", t)
        jobs.append(["g++", *cxx_flags, "-o", d / f"cpp_{t}", src, *cxx_libs])
    # A config of references, for a program generated with --resolve-env.
    refs = cluster.write_config(d / "refs.yaml", password={"from_env": "CG_PASSWORD"},
                                host="${CG_HOST}", port="${CG_PORT:-5432}", sections=settings_sections())
    src = d / "cpp_resolve.cpp"
    r = run_tool("pgconfig", "generate-code", "-c", refs, "--resolve-env", "-o", src, env=ref_env(cluster))
    assert r.returncode == 0, r.stderr
    texts[("cpp", "resolve")] = src.read_text()
    jobs.append(["g++", *cxx_flags, "-o", d / "cpp_resolve", src, *cxx_libs])
    for t in C_TYPES:
        src = d / f"c_{t}.c"
        texts[("c", t)] = generate(run_tool, cfg, src, "c", t)
        jobs.append(["gcc", "-std=c11", "-O0", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-o", d / f"c_{t}", src,
                     *pkg_config("libpq")])
    with ThreadPoolExecutor(max_workers=2) as pool:  # 2 cores, shared
        results = list(pool.map(lambda cmd: subprocess.run([str(c) for c in cmd], capture_output=True, text=True),
                                jobs))
    for cmd, r in zip(jobs, results):
        assert r.returncode == 0, f"{cmd[cmd.index('-o') + 2]}: {r.stderr}"
    return {"dir": d, "config": cfg, "refs": refs, "texts": texts}


@pytest.mark.parametrize("connection_type", CPP_TYPES)
def test_cpp_program_connects_and_prints_select_1(cluster, built, connection_type):
    # The config path comes from argv[1]; the password only from the YAML (no PG* variables).
    r = run_program([built["dir"] / f"cpp_{connection_type}", built["config"]])
    assert r.returncode == 0, r.stderr
    assert "SELECT 1 returned 1" in r.stdout
    if connection_type in ("pool", "async_pool"):
        assert r.stdout.count("SELECT 1 returned 1") == 3
        assert "pool: 2 connection(s) opened" in r.stdout  # min_size 2 = max_size 2
    assert cluster.password not in r.stdout + r.stderr
    assert cluster.password not in built["texts"][("cpp", connection_type)]


def test_cpp_program_defaults_to_the_config_it_was_generated_from(built):
    r = run_program([built["dir"] / "cpp_normal"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "SELECT 1 returned 1"


@pytest.mark.parametrize("connection_type", ["pool", "async_pool"])
def test_cpp_pools_never_open_more_than_max_size(cluster, built, tmp_path, connection_type):
    cfg = cluster.write_config(tmp_path / "one.yaml", sections=settings_sections(pool_min=0, pool_max=1))
    r = run_program([built["dir"] / f"cpp_{connection_type}", cfg])
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("SELECT 1 returned 1") == 3
    assert "pool: 1 connection(s) opened" in r.stdout


@pytest.mark.parametrize("connection_type", CPP_TYPES)
def test_cpp_program_fails_cleanly_with_a_wrong_password(cluster, built, tmp_path, connection_type):
    cfg = cluster.write_config(tmp_path / "bad.yaml", password="not-the-password-42",
                               sections=settings_sections(timeout=3))
    r = run_program([built["dir"] / f"cpp_{connection_type}", cfg])
    assert r.returncode != 0
    assert "password authentication failed" in r.stderr
    assert "SELECT 1 returned" not in r.stdout
    assert "not-the-password-42" not in r.stdout + r.stderr


@pytest.mark.parametrize("connection_type", ["normal", "async"])
def test_cpp_program_keeps_boolean_looking_text(cluster, built, tmp_path, connection_type):
    # A password 'yes' is text; only libpq's 0/1 keywords (keepalives) take YAML booleans.
    cluster.sql("DROP ROLE IF EXISTS yes_user")
    cluster.sql("CREATE ROLE yes_user LOGIN PASSWORD 'yes'")
    cfg = cluster.write_config(tmp_path / "yes.yaml", user="yes_user", password="yes", keepalives="true",
                               sections=settings_sections())
    r = run_program([built["dir"] / f"cpp_{connection_type}", cfg])
    assert r.returncode == 0, r.stderr
    assert "SELECT 1 returned 1" in r.stdout


@pytest.mark.parametrize("connection_type", CPP_TYPES)
def test_cpp_program_applies_the_session_settings(cluster, built, tmp_path, connection_type):
    # statement_timeout = 'soon' is rejected by the server: proof that the settings are applied.
    cfg = cluster.write_config(tmp_path / "set.yaml", sections=settings_sections(bad_setting=True))
    r = run_program([built["dir"] / f"cpp_{connection_type}", cfg])
    assert r.returncode != 0
    assert 'invalid value for parameter "statement_timeout"' in r.stderr
    assert "SELECT 1 returned" not in r.stdout


def test_cpp_program_generated_with_resolve_env_resolves_references_at_run_time(cluster, built):
    assert cluster.password not in built["texts"][("cpp", "resolve")]
    r = run_program([built["dir"] / "cpp_resolve", built["refs"]], env=ref_env(cluster))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "SELECT 1 returned 1"
    env = ref_env(cluster)
    del env["CG_HOST"]
    r = run_program([built["dir"] / "cpp_resolve", built["refs"]], env=env)
    assert r.returncode == 1
    assert "environment variable CG_HOST is not set" in r.stderr
    # A program generated without --resolve-env refuses references instead of using them literally.
    r = run_program([built["dir"] / "cpp_normal", built["refs"]], env=ref_env(cluster))
    assert r.returncode == 1
    assert "connection_settings.password: from_env/from_file need a program generated with --resolve-env" in r.stderr
    assert cluster.password not in r.stdout + r.stderr


def test_cpp_programs_read_the_older_wrapped_layout(cluster, built, tmp_path):
    plain = cluster.write_config(tmp_path / "plain.yaml", sections=settings_sections())
    wrapped = tmp_path / "wrapped.yaml"
    wrapped.write_text("postgresql:\n" + "".join("  " + line + "\n" for line in plain.read_text().splitlines()))
    r = run_program([built["dir"] / "cpp_async", wrapped])
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "SELECT 1 returned 1"


def test_cpp_async_pool_gives_up_after_timeout_when_no_connection_is_free(cluster, built, tmp_path):
    # max_size 1 and timeout 0: the second and third tasks cannot wait for the first one.
    cfg = cluster.write_config(tmp_path / "tight.yaml", sections=settings_sections(pool_min=1, pool_max=1, timeout=0))
    r = run_program([built["dir"] / "cpp_async_pool", cfg])
    assert r.returncode == 1
    assert "error: no free connection in the pool after 0 s (max_size 1)" in r.stderr
    assert "SELECT 1 returned" not in r.stdout


@pytest.mark.parametrize("connection_type", C_TYPES)
def test_c_program_connects_with_the_password_from_pgpassword(cluster, built, connection_type):
    text = built["texts"][("c", connection_type)]
    assert cluster.password not in text
    assert '"password"' not in text
    assert f'{{ "port", "{cluster.port}" }},' in text  # the non-secret settings are embedded
    r = run_program([built["dir"] / f"c_{connection_type}"], env={"PGPASSWORD": cluster.password})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "SELECT 1 returned 1"
    assert cluster.password not in r.stdout + r.stderr


@pytest.mark.parametrize("connection_type", C_TYPES)
def test_c_program_fails_cleanly_with_a_wrong_password(built, connection_type):
    r = run_program([built["dir"] / f"c_{connection_type}"], env={"PGPASSWORD": "not-the-password-42"})
    assert r.returncode == 1
    assert "password authentication failed" in r.stderr
    assert "not-the-password-42" not in r.stdout + r.stderr
    assert r.stdout == ""


def test_c_program_applies_the_session_settings(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "set.yaml", sections=settings_sections(bad_setting=True))
    src = tmp_path / "set.c"
    generate(run, cfg, src, "c", "normal")
    subprocess.run(["gcc", "-std=c11", "-O0", "-o", str(tmp_path / "set"), str(src), *pkg_config("libpq")],
                   check=True)
    r = run_program([tmp_path / "set"], env={"PGPASSWORD": cluster.password})
    assert r.returncode == 1
    assert 'invalid value for parameter "statement_timeout"' in r.stderr


@pytest.mark.parametrize("connection_type", PY_TYPES)
def test_psycopg_program_runs(cluster, run, tmp_path, connection_type):
    cfg = cluster.write_config(tmp_path / "app.yaml", sections=settings_sections())
    src = tmp_path / f"{connection_type}.py"
    text = generate(run, cfg, src, "python", connection_type, "psycopg")
    assert cluster.password not in text
    r = run_program([PYTHON, src, cfg])
    assert r.returncode == 0, r.stderr
    expected = 3 if "pool" in connection_type else 1
    assert r.stdout.count("SELECT 1 returned 1") == expected
    assert cluster.password not in r.stdout + r.stderr


@pytest.mark.parametrize("connection_type", ["normal", "async"])
def test_psycopg_program_fails_cleanly(cluster, run, tmp_path, connection_type):
    cfg = cluster.write_config(tmp_path / "app.yaml", password="not-the-password-42", sections=settings_sections())
    src = tmp_path / "p.py"
    generate(run, cfg, src, "python", connection_type, "psycopg")
    r = run_program([PYTHON, src])  # default path: the config it was generated from
    assert r.returncode == 1
    assert "password authentication failed" in r.stderr
    assert "not-the-password-42" not in r.stdout + r.stderr


@pytest.mark.parametrize("connection_type", ["normal", "async_pool"])
def test_psycopg_program_generated_with_resolve_env(cluster, run, tmp_path, connection_type):
    cfg = cluster.write_config(tmp_path / "refs.yaml", password={"from_env": "CG_PASSWORD"}, host="${CG_HOST}",
                               port="${CG_PORT:-5432}", sections=settings_sections())
    src = tmp_path / "refs.py"
    text = generate(run, cfg, src, "python", connection_type, "psycopg", "--resolve-env", env=ref_env(cluster))
    assert cluster.password not in text
    r = run_program([PYTHON, src], env=ref_env(cluster))
    assert r.returncode == 0, r.stderr
    assert "SELECT 1 returned 1" in r.stdout
    r = run_program([PYTHON, src], env={"CG_HOST": cluster.host})
    assert r.returncode == 1
    assert "environment variable CG_PASSWORD is not set" in r.stderr


@pytest.mark.parametrize("connection_type", PY_TYPES)
def test_pgmonkey_program_compiles_and_uses_pgmonkeys_api(cluster, run, tmp_path, connection_type):
    cfg = cluster.write_config(tmp_path / "app.yaml", sections=settings_sections())
    src = tmp_path / f"pm_{connection_type}.py"
    text = generate(run, cfg, src, "python", connection_type, "pgmonkey", "--resolve-env")
    py_compile.compile(str(src), doraise=True)
    assert cluster.password not in text
    assert "from pgmonkey import PGConnectionManager" in text
    assert "PGConnectionManager()" in text
    call = f'get_database_connection(config_path, "{connection_type}", resolve_env=True)'
    assert ("await manager." + call if "async" in connection_type else "manager." + call) in text
    assert ("await pool.disconnect()" if connection_type == "async_pool" else "disconnect()") in text
    assert ("async with" in text) == ("async" in connection_type)


def test_python_default_library_is_psycopg(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "app.yaml")
    r = run("pgconfig", "generate-code", "-c", cfg, "--language", "python")
    assert r.returncode == 0, r.stderr
    assert "import psycopg" in r.stdout
    assert cluster.password not in r.stdout


def test_prints_to_stdout_by_default_with_the_file_connection_type(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "app.yaml", connection_type="async_pool", sections=settings_sections())
    r = run("pgconfig", "generate-code", "-c", cfg)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("// pgmonkey_async_pool: an async_pool of PostgreSQL connections")
    assert "PQconnectStartParams" in r.stdout
    assert cluster.password not in r.stdout + r.stderr


def test_unsupported_combination_is_a_usage_error_listing_what_is_supported(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "app.yaml")
    r = run("pgconfig", "generate-code", "-c", cfg, "--language", "c", "--connection-type", "pool")
    assert r.returncode == 2
    assert "no pool program for --language c --library libpq" in r.stderr
    assert "c --library libpq: normal, async" in r.stderr
    assert r.stdout == ""
    r = run("pgconfig", "generate-code", "-c", cfg, "--language", "cpp", "--library", "psycopg")
    assert r.returncode == 2
    assert "use --library libpqxx" in r.stderr


def test_refuses_to_overwrite_without_force(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "app.yaml")
    out = tmp_path / "prog.cpp"
    out.write_text("keep me\n")
    r = run("pgconfig", "generate-code", "-c", cfg, "-o", out)
    assert r.returncode == 2
    assert "refusing to overwrite" in r.stderr
    assert out.read_text() == "keep me\n"
    r = run("pgconfig", "generate-code", "-c", cfg, "-o", out, "--force")
    assert r.returncode == 0, r.stderr
    assert "wrote " + str(out) in r.stdout
    assert "build it with: g++" in r.stderr
    assert "SELECT 1" in out.read_text()


def test_json_output(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "app.yaml")
    r = run("pgconfig", "generate-code", "-c", cfg, "--language", "c", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["language"], doc["library"], doc["connection_type"]) == ("c", "libpq", "normal")
    assert doc["template"] == "codegen/c/normal.c"
    assert doc["output"] is None
    assert "PQconnectdbParams" in doc["code"]
    assert "password is not written into C programs" in r.stderr
    assert cluster.password not in r.stdout


def test_invalid_config_is_a_usage_error(run, tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("connection_type: 'sometimes'\n")
    r = run("pgconfig", "generate-code", "-c", cfg)
    assert r.returncode == 2
    assert "invalid config" in r.stderr


def test_toolchain_is_present():
    # The compile tests need these; fail loudly rather than skip.
    for tool in ("g++", "gcc", "pkg-config"):
        assert shutil.which(tool), tool


def test_programs_without_a_pool_reach_a_server_started_after_them(cluster, run, built, tmp_path):
    # Every program starts before its server exists and connects once it is up (initdb and start
    # take a few seconds more); the retries are noted on stderr.
    port, password = free_port(), "late-start-pw-2"
    cfg = cluster.write_config(tmp_path / "late.yaml", port=port, password=password, user="postgres",
                               dbname="postgres", connect_timeout=60, sections=settings_sections())
    programs = {}
    for language, t in [("cpp", "normal"), ("cpp", "async"), ("c", "normal"), ("c", "async")]:
        src = tmp_path / f"late_{language}_{t}.{'cpp' if language == 'cpp' else 'c'}"
        generate(run, cfg, src, language, t)
        exe = tmp_path / f"late_{language}_{t}"
        if language == "cpp":
            libs = pkg_config("libpq", "yaml-cpp") if t == "async" else pkg_config("libpqxx", "libpq", "yaml-cpp")
            cmd = ["g++", "-std=c++17", "-O0", "-pthread", "-o", exe, src, *libs]
        else:
            cmd = ["gcc", "-std=c11", "-O0", "-o", exe, src, *pkg_config("libpq")]
        r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        programs[f"{language}_{t}"] = [exe, cfg] if language == "cpp" else [exe]
    for t in ("normal", "async"):
        src = tmp_path / f"late_py_{t}.py"
        generate(run, cfg, src, "python", t, "psycopg")
        programs[f"py_{t}"] = [PYTHON, src, cfg]
    procs = {name: subprocess.Popen([str(c) for c in cmd], env=clean_env({"PGPASSWORD": password}),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, cmd in programs.items()}
    late = None
    try:
        time.sleep(3)
        assert all(p.poll() is None for p in procs.values())  # all still trying
        late = start_cluster("--port", str(port), "--password", password)
        results = {name: p.communicate(timeout=90) for name, p in procs.items()}
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        if late:
            late.stop()
    for name, (out, err) in results.items():
        assert procs[name].returncode == 0, f"{name}: {err}"
        assert "SELECT 1 returned 1" in out, name
        assert "; retrying in 0.5 s" in err, f"{name}: {err}"
        assert password not in out + err


@pytest.mark.parametrize("connection_type", ["pool", "async_pool"])
def test_psycopg_pool_names_the_connection_error_on_timeout(cluster, run, tmp_path, connection_type):
    cfg = cluster.write_config(tmp_path / "app.yaml", password="not-the-password-42",
                               sections=settings_sections(timeout=2))
    src = tmp_path / "p.py"
    generate(run, cfg, src, "python", connection_type, "psycopg")
    r = run_program([PYTHON, src, cfg])
    assert r.returncode == 1
    assert "pool initialization incomplete after 2.0 sec; connecting says:" in r.stderr
    assert "password authentication failed" in r.stderr
    assert "not-the-password-42" not in r.stdout + r.stderr


@pytest.mark.parametrize("connection_type", ["pool", "async_pool"])
def test_pgmonkey_pool_program_says_what_to_upgrade(cluster, run, tmp_path, connection_type):
    # psycopg_pool 3.1 (Debian 12's) pools take no check=; pgmonkey is not installed here.
    cfg = cluster.write_config(tmp_path / "app.yaml", sections=settings_sections())
    src = tmp_path / "pm.py"
    generate(run, cfg, src, "python", connection_type, "pgmonkey")
    fake = tmp_path / "lib" / "pgmonkey"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('a stand-in: only its presence is looked up')\n")
    # The version the program reads is psycopg_pool's metadata: a 3.1 stand-in found first on the
    # path, so the check is the same on Debian 12 (3.1) and 13 (3.3).
    dist = fake.parent / "psycopg_pool-3.1.5.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: psycopg-pool\nVersion: 3.1.5\n")
    r = run_program([PYTHON, src, cfg], env={"PYTHONPATH": str(fake.parent)})
    assert r.returncode == 1
    section = "pool_settings" if connection_type == "pool" else "async_pool_settings"
    assert (f"error: {section}.check_on_checkout: true needs psycopg_pool 3.2 or later (installed: 3.1"
            in r.stderr), r.stderr
    assert "Traceback" not in r.stderr
    r = run_program([PYTHON, src, cfg])
    assert r.returncode == 1
    assert "error: this program needs the pgmonkey package: pip install pgmonkey" in r.stderr


def test_python_program_refused_for_a_value_pyyaml_reads_differently(cluster, run, tmp_path):
    cfg = tmp_path / "octal.yaml"
    cfg.write_text(f"connection_settings:\n  host: '{cluster.host}'\n  password: 0755\n")
    cfg.chmod(0o600)
    out = tmp_path / "p.py"
    r = run("pgconfig", "generate-code", "-c", cfg, "--language", "python", "-o", out)
    assert r.returncode == 2
    assert "octal.yaml:3:13: connection_settings.password: unquoted value is an octal number" in r.stderr
    assert ("octal.yaml:3:13: connection_settings.password: a Python program reads this unquoted value "
            "differently" in r.stderr)
    assert not out.exists()
    r = run("pgconfig", "generate-code", "-c", cfg, "--language", "cpp", "-o", tmp_path / "p.cpp")
    assert r.returncode == 0, r.stderr  # yaml-cpp keeps the text as written


def test_cpp_pool_keys_not_honoured_are_named(cluster, run, tmp_path):
    pool = {"min_size": 1, "max_size": 2, "max_idle": 60, "max_lifetime": 600}
    cfg = cluster.write_config(tmp_path / "app.yaml", sections={"async_pool_settings": pool})
    r = run("pgconfig", "generate-code", "-c", cfg, "--connection-type", "async_pool", "-o", tmp_path / "a.cpp")
    assert r.returncode == 0, r.stderr
    assert "async_pool_settings: max_idle, max_lifetime not honoured by the generated C++ async_pool program" in r.stderr


def test_cpp_pool_lease_is_movable(cluster, built, tmp_path):
    # Leases move into containers and out of functions; a lease assigned over gives its own back.
    src = tmp_path / "move.cpp"
    src.write_text(f'#define main program_main\n#include "{built["dir"] / "cpp_pool.cpp"}"\n#undef main\n'
                   "int main(int, char** argv) {\n"
                   "  Pool pool(load_settings(argv[1]));\n"
                   "  std::vector<Pool::Lease> leases;\n"
                   "  leases.push_back(pool.acquire());\n"
                   "  leases.push_back(pool.acquire());\n"
                   "  Pool::Lease moved = std::move(leases[0]);\n"
                   "  leases[1] = std::move(moved);  // the second connection goes back\n"
                   "  Pool::Lease third = pool.acquire();  // max_size 2: only possible if it did\n"
                   "  std::cout << select_one(*leases[1]) << select_one(*third) << ' ' << pool.opened() << std::endl;\n"
                   "}\n")
    exe = tmp_path / "move"
    r = subprocess.run(["g++", "-std=c++17", "-O0", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", str(exe), str(src),
                        *pkg_config("libpqxx", "libpq", "yaml-cpp")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = run_program([exe, built["config"]])
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "11 2"
