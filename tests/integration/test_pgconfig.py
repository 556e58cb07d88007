"""pgconfig create / validate / test, run as built, against real throw-away clusters."""
import json
import os
import socket
import stat
import subprocess
import time

import pytest

from conftest import BIN, clean_env, free_port, start_cluster


# ---------------------------------------------------------------- create

def test_create_writes_0600_file_in_new_folders(run, tmp_path):
    target = tmp_path / "deep" / "er" / "app.yaml"
    r = run("pgconfig", "create", "-c", target)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text()
    assert "connection_type:" in text and "pool_settings:" in text and "# " in text
    v = run("pgconfig", "validate", "-c", target)
    assert v.returncode == 0, v.stdout + v.stderr


def test_create_refuses_to_overwrite_without_force(run, tmp_path):
    target = tmp_path / "app.yaml"
    target.write_text("mine: 1\n")
    r = run("pgconfig", "create", "-c", target)
    assert r.returncode == 2
    assert "--force" in r.stderr
    assert target.read_text() == "mine: 1\n"
    r = run("pgconfig", "create", "-c", target, "--force")
    assert r.returncode == 0
    assert "connection_settings:" in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.yaml"]


def test_create_from_env_fills_settings_but_never_the_password(run, cluster, tmp_path):
    target = tmp_path / "env.yaml"
    r = run("pgconfig", "create", "-c", target, "--from-env", env=cluster.env)
    assert r.returncode == 0, r.stderr
    text = target.read_text()
    assert f"port: '{cluster.port}'" in text
    assert "host: '127.0.0.1'" in text
    assert cluster.password not in text
    # The password reaches libpq from PGPASSWORD at run time.
    t = run("pgconfig", "test", "-c", target, env=cluster.env)
    assert t.returncode == 0, t.stderr
    assert cluster.password not in t.stdout + t.stderr


# ---------------------------------------------------------------- validate

def test_validate_reports_every_error_with_line_and_exit_2(run, tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("connection_type: pooled\nconnection_settings:\n  hosst: x\n  port: 99999\n"
                   "pool_settings:\n  min_size: 9\n  max_size: 3\n")
    r = run("pgconfig", "validate", "-c", cfg)
    assert r.returncode == 2
    assert f"{cfg}:1:" in r.stdout and "pooled" in r.stdout
    assert f"{cfg}:3:3:" in r.stdout and "did you mean 'host'?" in r.stdout
    assert f"{cfg}:4:" in r.stdout and "65535" in r.stdout
    assert "min_size (9) is larger than max_size (3)" in r.stdout
    assert "4 errors" in r.stdout


def test_validate_json_and_strict(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "w.yaml", connection_type="pool")  # pool section missing: a warning
    r = run("pgconfig", "validate", "-c", cfg, "--format", "json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["valid"] is True and doc["errors"] == 0 and doc["warnings"] == 1
    assert doc["connection_type"] == "pool"
    assert doc["findings"][0]["severity"] == "warning"
    assert set(doc["findings"][0]) == {"severity", "file", "line", "column", "key", "message", "hint"}
    assert cluster.password not in r.stdout
    assert run("pgconfig", "validate", "-c", cfg, "--strict").returncode == 1


def test_validate_malformed_yaml_gives_yaml_position(run, tmp_path):
    cfg = tmp_path / "m.yaml"
    cfg.write_text("connection_settings:\n  host: [unclosed\n  port: 1\n")
    r = run("pgconfig", "validate", "-c", cfg, "--format", "json")
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    f = doc["findings"][0]
    assert f["message"].startswith("malformed YAML") and f["line"] >= 2 and f["column"] >= 1
    assert doc["valid"] is False and doc["connection_type"] is None  # nothing to report on an invalid file


def test_missing_config_is_a_config_error(run, tmp_path):
    r = run("pgconfig", "validate", "-c", tmp_path / "nope.yaml")
    assert r.returncode == 2
    assert "cannot read config" in r.stderr and "pgconfig create" in r.stderr
    r = run("pgconfig", "validate", "-c", tmp_path)
    assert r.returncode == 2 and "it is a folder" in r.stderr


def test_group_readable_config_with_password_warns(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "open.yaml", mode=0o644)
    r = run("pgconfig", "validate", "-c", cfg, "--strict")
    assert r.returncode == 1
    assert "readable by group or others" in r.stdout
    assert cluster.password not in r.stdout + r.stderr
    # A reference is not a password in the file: no warning.
    for value in ("${PGPASSWORD}", {"from_env": "PGPASSWORD"}):
        refs = cluster.write_config(tmp_path / "refs.yaml", password=value, mode=0o644)
        r = run("pgconfig", "validate", "-c", refs, "--strict")
        assert "readable by group" not in r.stdout + r.stderr, r.stdout


def test_password_from_pgpassword_is_masked_too(run, cluster, tmp_path):
    # create --from-env leaves the password to PGPASSWORD: it must be as secret as one in the file.
    cfg = cluster.write_config(tmp_path / "env.yaml", password=False,
                               sections={"sync_settings": {"application_name": cluster.password}})
    r = run("pgconfig", "test", "-c", cfg, "-v", env={"PGPASSWORD": cluster.password})
    assert r.returncode == 0, r.stderr
    assert cluster.password not in r.stdout + r.stderr
    assert "********" in r.stdout + r.stderr


def test_legacy_postgresql_wrapper_works_with_warning(run, cluster, tmp_path):
    cfg = tmp_path / "legacy.yaml"
    inner = cluster.write_config(tmp_path / "inner.yaml").read_text()
    cfg.write_text("postgresql:\n" + "".join("  " + line + "\n" for line in inner.splitlines()))
    cfg.chmod(0o600)
    r = run("pgconfig", "test", "-c", cfg)
    assert r.returncode == 0, r.stderr
    assert "deprecated" in r.stderr


def test_pgmonkey_aliases_for_the_config_flag(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "a.yaml")
    for flag in ("--connconfig", "--filepath", "--config", "-c"):
        assert run("pgconfig", "validate", flag, cfg).returncode == 0, flag


# ---------------------------------------------------------------- test: each type

@pytest.mark.parametrize("ctype", ["normal", "pool", "async", "async_pool"])
def test_each_connection_type_runs_select_1(run, cluster, tmp_path, ctype):
    pool = {"min_size": 3, "max_size": 6, "check_on_checkout": True}
    settings = {"statement_timeout": "1500", "application_name": "probe-app", "myapp.tenant": "t1"}
    cfg = cluster.write_config(tmp_path / "c.yaml", connection_type=ctype, sections={
        "sync_settings": settings, "async_settings": settings,
        "pool_settings": pool, "async_pool_settings": pool})
    r = run("pgconfig", "test", "-c", cfg, "--format", "json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)["results"][0]
    assert res["connection_type"] == ctype and res["ok"] is True
    assert res["user"] == "postgres" and res["database"] == "postgres"
    assert res["server_version_num"] >= 150000
    assert res["tls"]["in_use"] is False
    shown = {s["name"]: s["shown"] for s in res["settings"]}
    assert shown == {"statement_timeout": "1500ms", "application_name": "probe-app", "myapp.tenant": "t1"}
    if ctype in ("pool", "async_pool"):
        assert res["connections_held"] == 3 and res["check_on_checkout"] is True
        cap = res["capacity"]
        assert cap["max_connections"] == 100 and cap["reserved"] == 3 and cap["fits"] is True
    else:
        assert res["connections_held"] == 1


def test_all_types_in_one_run_text_output(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml")
    r = run("pgconfig", "test", "-c", cfg, "--connection-type", "all")
    assert r.returncode == 0, r.stderr
    for t in ("normal:", "pool:", "async:", "async_pool:"):
        assert any(line.startswith(t + " OK") for line in r.stdout.splitlines()), r.stdout
    assert "\x1b[" not in r.stdout + r.stderr  # NO_COLOR and not a TTY


def test_pool_sessions_are_held_at_once(run, cluster, tmp_path):
    # A fresh role per run: a backend that has left pg_stat_activity may still count against its
    # role's CONNECTION LIMIT for a moment while it exits, so runs must not share a role.
    # Over the limit, the server may refuse more than the surplus: a session being refused
    # still counts while others check the limit, so "held" is then between 1 and the limit.
    for ctype in ("pool", "async_pool"):
        for size, expect_rc in ((3, 0), (4, 1)):
            role = f"limited_{ctype}_{size}"
            cluster.sql(f"DROP ROLE IF EXISTS {role}")
            cluster.sql(f"CREATE ROLE {role} LOGIN PASSWORD 'limitedpw' CONNECTION LIMIT 3")
            cfg = cluster.write_config(tmp_path / f"{role}.yaml", connection_type=ctype, user=role,
                                       password="limitedpw", sections={
                                           "pool_settings": {"min_size": size, "max_size": size},
                                           "async_pool_settings": {"min_size": size,
                                                                   "max_size": size}})
            r = run("pgconfig", "test", "-c", cfg, "--format", "json")
            assert r.returncode == expect_rc, (ctype, size, r.stdout, r.stderr)
            res = json.loads(r.stdout)["results"][0]
            if expect_rc:
                assert 1 <= res["connections_held"] <= 3, (ctype, size, res)
                assert any("too many connections" in p for p in res["problems"]), res
            else:
                assert res["connections_held"] == 3, (ctype, size, res)


@pytest.mark.parametrize("ctype", ["pool", "async_pool"])
def test_capacity_counts_the_roles_connection_limit(run, cluster, tmp_path, ctype):
    role = f"capped_{ctype}"
    cluster.sql(f"DROP ROLE IF EXISTS {role}")
    cluster.sql(f"CREATE ROLE {role} LOGIN PASSWORD 'cappedpw' CONNECTION LIMIT 2")
    cfg = cluster.write_config(tmp_path / "capped.yaml", connection_type=ctype, user=role, password="cappedpw",
                               sections={"pool_settings": {"min_size": 1, "max_size": 10},
                                         "async_pool_settings": {"min_size": 1, "max_size": 10}})
    r = run("pgconfig", "test", "-c", cfg, "--format", "json")
    assert r.returncode == 0, r.stderr  # min_size 1 opens; max_size 10 cannot all open
    cap = json.loads(r.stdout)["results"][0]["capacity"]
    assert cap["fits"] is False and cap["limited_by"] == "role" and cap["role_limit"] == 2 and cap["available"] == 2
    assert "the role's CONNECTION LIMIT 2" in r.stderr
    r = run("pgconfig", "test", "-c", cfg)
    assert "does not fit (2 left: role CONNECTION LIMIT 2)" in r.stdout


def test_capacity_counts_other_roles_in_a_limited_database(run, cluster, tmp_path):
    cluster.sql("DROP DATABASE IF EXISTS capdb")
    cluster.sql("CREATE DATABASE capdb CONNECTION LIMIT 4")
    cluster.sql("DROP ROLE IF EXISTS capuser")
    cluster.sql("CREATE ROLE capuser LOGIN PASSWORD 'capuserpw'")
    # Two sessions of another role, whose pg_stat_activity rows capuser sees without details.
    with cluster.connect(dbname="capdb"), cluster.connect(dbname="capdb"):
        cfg = cluster.write_config(tmp_path / "capdb.yaml", connection_type="pool", user="capuser",
                                   password="capuserpw", dbname="capdb",
                                   sections={"pool_settings": {"min_size": 1, "max_size": 3}})
        r = run("pgconfig", "test", "-c", cfg, "--format", "json")
    assert r.returncode == 0, r.stderr
    cap = json.loads(r.stdout)["results"][0]["capacity"]
    assert cap["limited_by"] == "database" and cap["available"] == 2 and cap["fits"] is False, cap


def test_pool_max_size_beyond_server_capacity_is_reported(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "big.yaml", connection_type="pool",
                               sections={"pool_settings": {"min_size": 1, "max_size": 500}})
    r = run("pgconfig", "test", "-c", cfg, "--format", "json")
    assert r.returncode == 0
    cap = json.loads(r.stdout)["results"][0]["capacity"]
    assert cap["fits"] is False and cap["pool_max_size"] == 500
    assert "does not fit" in r.stderr


def test_unknown_session_setting_fails_the_check(run, cluster, tmp_path):
    for ctype, section in (("normal", "sync_settings"), ("async", "async_settings")):
        cfg = cluster.write_config(tmp_path / "s.yaml", connection_type=ctype,
                                   sections={section: {"no_such_setting": "1"}})
        r = run("pgconfig", "test", "-c", cfg)
        assert r.returncode == 1, (ctype, r.stdout, r.stderr)
        assert "no_such_setting" in r.stdout + r.stderr


# ---------------------------------------------------------------- failures

def test_wrong_password_exit_3_and_never_printed(run, cluster, tmp_path):
    wrong = "Wr0ng-Pa55word-xyz"
    cfg = cluster.write_config(tmp_path / "w.yaml", password=wrong)
    for extra in ([], ["-v"], ["--format", "json"], ["-v", "--connection-type", "all"]):
        r = run("pgconfig", "test", "-c", cfg, *extra)
        assert r.returncode == 3, extra
        out = r.stdout + r.stderr
        assert "password authentication failed" in out
        assert "hint:" in r.stderr and "PGPASSWORD" in r.stderr
        assert wrong not in out and cluster.password not in out


def test_refused_port_exit_3_with_hint(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "r.yaml", port=free_port())
    r = run("pgconfig", "test", "-c", cfg)
    assert r.returncode == 3
    assert "Connection refused" in r.stderr and "is the server running" in r.stderr
    j = run("pgconfig", "test", "-c", cfg, "--format", "json")
    assert j.returncode == 3
    doc = json.loads(j.stdout)  # scripts still get a document
    assert doc["ok"] is False and doc["results"][0]["exit_code"] == 3
    assert "Connection refused" in doc["results"][0]["error"]


def test_unknown_host_and_missing_database(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "h.yaml", host="no-such-host.invalid")
    r = run("pgconfig", "test", "-c", cfg)
    assert r.returncode == 3 and "does not resolve" in r.stderr
    cfg = cluster.write_config(tmp_path / "d.yaml", dbname="no_such_db")
    r = run("pgconfig", "test", "-c", cfg, "--connection-type", "async")
    assert r.returncode == 3 and "create the database" in r.stderr


def test_role_without_privileges(run, cluster, tmp_path):
    cluster.sql("DROP DATABASE IF EXISTS locked")
    cluster.sql("DROP ROLE IF EXISTS plain")
    cluster.sql("CREATE ROLE plain LOGIN PASSWORD 'plainpw'")
    cluster.sql("CREATE DATABASE locked")
    cluster.sql("REVOKE CONNECT ON DATABASE locked FROM PUBLIC")
    # An unprivileged role can still connect and run every check (capacity included) ...
    cfg = cluster.write_config(tmp_path / "p.yaml", user="plain", password="plainpw")
    r = run("pgconfig", "test", "-c", cfg, "--connection-type", "all", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert all(res["user"] == "plain" for res in json.loads(r.stdout)["results"])
    # ... but not into a database it may not connect to.
    cfg = cluster.write_config(tmp_path / "l.yaml", user="plain", password="plainpw", dbname="locked")
    r = run("pgconfig", "test", "-c", cfg)
    assert r.returncode == 3
    assert "GRANT CONNECT" in r.stderr


@pytest.mark.parametrize("password", ["it's \"quoted\" \\ back = eq", "  spaces  ", "p@ss:w/rd#%&*"])
def test_awkward_passwords_connect(run, cluster, tmp_path, password):
    cluster.sql("DROP ROLE IF EXISTS awkward")
    with cluster.connect() as conn:
        conn.execute(f"CREATE ROLE awkward LOGIN PASSWORD {quote_literal(password)}")
    cfg = cluster.write_config(tmp_path / "a.yaml", user="awkward", password=password)
    r = run("pgconfig", "test", "-c", cfg, "--connection-type", "all", "-v")
    assert r.returncode == 0, r.stderr
    if password.strip():
        assert password.strip() not in r.stdout + r.stderr


def quote_literal(s):
    return "'" + s.replace("'", "''") + "'"


def test_resolve_env_and_from_file(run, cluster, tmp_path):
    secret = tmp_path / "pw.txt"
    secret.write_text(cluster.password + "\n")
    cfg = tmp_path / "e.yaml"
    cfg.write_text(f"connection_settings:\n  host: '${{DBHOST}}'\n  port: '${{DBPORT:-{cluster.port}}}'\n"
                   f"  user: {{from_env: DBUSER}}\n  password: {{from_file: {secret}}}\n"
                   f"  dbname: postgres\n  sslmode: disable\n")
    cfg.chmod(0o600)
    env = {"DBHOST": cluster.host, "DBUSER": "postgres"}
    r = run("pgconfig", "test", "-c", cfg, "--resolve-env", env=env)
    assert r.returncode == 0, r.stderr
    r = run("pgconfig", "test", "-c", cfg, env=env)  # not resolved: a config error
    assert r.returncode == 2 and "--resolve-env" in r.stderr
    r = run("pgconfig", "test", "-c", cfg, "--resolve-env", env={"DBUSER": "postgres"})
    assert r.returncode == 2 and "DBHOST" in r.stderr


def test_sensitive_default_refused_unless_allowed(run, cluster, tmp_path):
    cfg = tmp_path / "d.yaml"
    cfg.write_text(f"connection_settings:\n  host: {cluster.host}\n  port: {cluster.port}\n  user: postgres\n"
                   f"  password: '${{NOT_SET_PW:-{cluster.password}}}'\n  sslmode: disable\n")
    cfg.chmod(0o600)
    r = run("pgconfig", "test", "-c", cfg, "--resolve-env")
    assert r.returncode == 2
    assert "--allow-sensitive-defaults" in r.stderr and cluster.password not in r.stdout + r.stderr
    r = run("pgconfig", "test", "-c", cfg, "--resolve-env", "--allow-sensitive-defaults")
    assert r.returncode == 0, r.stderr


def test_libpq_environment_fills_what_the_config_leaves_out(run, cluster, tmp_path):
    cfg = tmp_path / "min.yaml"
    cfg.write_text("connection_type: normal\nconnection_settings:\n  sslmode: disable\n")
    r = run("pgconfig", "test", "-c", cfg, "--format", "json", env=cluster.env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["results"][0]["database"] == "postgres"
    # A password file works too (~/.pgpass style).
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{cluster.host}:{cluster.port}:*:postgres:{cluster.password}\n")
    pgpass.chmod(0o600)
    env = {k: v for k, v in cluster.env.items() if k != "PGPASSWORD"}
    env["PGPASSFILE"] = str(pgpass)
    assert run("pgconfig", "test", "-c", cfg, env=env).returncode == 0


# ---------------------------------------------------------------- --wait

def test_wait_retries_until_the_server_starts(tmp_path):
    port = free_port()
    cfg = tmp_path / "w.yaml"
    cfg.write_text(f"connection_settings:\n  host: 127.0.0.1\n  port: {port}\n  user: postgres\n"
                   f"  password: waitpw123\n  sslmode: disable\n")
    cfg.chmod(0o600)
    proc = subprocess.Popen([str(BIN / "pgconfig"), "test", "-c", str(cfg), "--wait", "60"],
                            env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    c = start_cluster("--port", str(port), "--password", "waitpw123")
    try:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        assert "retrying in" in err
        assert "normal: OK" in out
    finally:
        proc.kill()
        c.stop()


def test_wait_gives_up_after_the_time(run, tmp_path):
    cfg = tmp_path / "w.yaml"
    cfg.write_text(f"connection_settings:\n  host: 127.0.0.1\n  port: {free_port()}\n  sslmode: disable\n")
    t0 = time.monotonic()
    r = run("pgconfig", "test", "-c", cfg, "--wait", "1.2")
    assert r.returncode == 3
    assert time.monotonic() - t0 >= 1.0
    assert r.stderr.count("retrying in") >= 2


# ---------------------------------------------------------------- usage

def test_help_version_and_usage_errors(run):
    h = run("pgconfig", "--help")
    assert h.returncode == 0 and "Examples:" in h.stdout and "Exit status" in h.stdout
    h = run("pgconfig", "test", "--help")
    assert h.returncode == 0 and "--connection-type" in h.stdout and "--wait" in h.stdout
    v = run("pgconfig", "--version")
    assert v.returncode == 0 and "pgconfig" in v.stdout
    assert run("pgconfig").returncode == 2
    assert run("pgconfig", "validate").returncode == 2  # -c is required
    # test needs no -c: libpq's defaults (here the local socket, where nothing listens) → 3.
    assert run("pgconfig", "test", "-p", free_port()).returncode == 3
    assert run("pgconfig", "test", "-c", "x.yaml", "--connection-type", "bogus").returncode == 2
    assert run("pgconfig", "validate", "-c", "x.yaml", "--format", "xml").returncode == 2


@pytest.mark.parametrize("ctype", ["normal", "pool", "async", "async_pool"])
def test_connect_timeout_bounds_every_connection_type(run, cluster, tmp_path, ctype):
    # A server that accepts TCP connections and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        cfg = cluster.write_config(tmp_path / "silent.yaml", connection_type=ctype, port=silent.getsockname()[1],
                                   connect_timeout=2)
        t0 = time.monotonic()
        r = run("pgconfig", "test", "-c", cfg, timeout=60)
        took = time.monotonic() - t0
    finally:
        silent.close()
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "timeout" in (r.stdout + r.stderr).lower()
    assert took < 15, took  # connect_timeout 2 s, not the probe's own 60 s


# ---------------------------------------------------------------- create --from-env / --from-dsn (issue 15)

def test_create_from_env_writes_only_what_libpq_would_use(run, cluster, tmp_path):
    target = tmp_path / "part.yaml"
    r = run("pgconfig", "create", "-c", target, "--from-env", env={"PGPORT": str(cluster.port), "PGAPPNAME": "billing"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"created {target} from PGPORT, PGAPPNAME;")
    text = target.read_text()
    assert f"port: '{cluster.port}'" in text and "application_name: 'billing'" in text
    for key in ("host", "user", "dbname"):
        assert f"\n  {key}: " not in text, key  # left to libpq: the socket, the login name
    assert "myapp" not in text
    assert run("pgconfig", "validate", "-c", target).returncode == 0
    # Nothing set: it says so rather than "from the PG* environment".
    empty = tmp_path / "empty.yaml"
    e = run("pgconfig", "create", "-c", empty, "--from-env")
    assert e.returncode == 0
    assert "no PG* variable is set" in e.stdout and "from the PG* environment" not in e.stdout
    assert "\n  host: " not in empty.read_text()


def test_create_from_env_names_the_service_and_it_connects(run, cluster, tmp_path):
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[throwaway]\nhost={cluster.host}\nport={cluster.port}\nuser={cluster.user}\n"
                        f"dbname={cluster.dbname}\n")
    env = {"PGSERVICE": "throwaway", "PGSERVICEFILE": str(services), "PGPASSWORD": cluster.password}
    target = tmp_path / "svc.yaml"
    r = run("pgconfig", "create", "-c", target, "--from-env", env=env)
    assert r.returncode == 0, r.stderr
    text = target.read_text()
    assert "service: 'throwaway'" in text
    assert str(cluster.port) not in text  # the name, not its expanded values
    t = run("pgconfig", "test", "-c", target, "--format", "json",
            env={"PGSERVICEFILE": str(services), "PGPASSWORD": cluster.password})
    assert t.returncode == 0, t.stderr
    assert json.loads(t.stdout)["results"][0]["database"] == cluster.dbname


def test_create_from_dsn_leaves_the_password_out_unless_asked(run, cluster, tmp_path):
    dsn = f"postgresql://{cluster.user}:{cluster.password}@{cluster.host}:{cluster.port}/{cluster.dbname}"
    target = tmp_path / "dsn.yaml"
    r = run("pgconfig", "create", "-c", target, "--from-dsn", dsn)
    assert r.returncode == 0, r.stderr
    assert cluster.password not in r.stdout + r.stderr + target.read_text()
    assert run("pgconfig", "test", "-c", target).returncode == 3  # no password anywhere
    assert run("pgconfig", "test", "-c", target, env={"PGPASSWORD": cluster.password}).returncode == 0
    kept = tmp_path / "kept.yaml"
    k = run("pgconfig", "create", "-c", kept, "--from-dsn", dsn, "--with-password")
    assert k.returncode == 0 and cluster.password not in k.stdout + k.stderr
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    t = run("pgconfig", "test", "-c", kept)
    assert t.returncode == 0, t.stderr
    assert cluster.password not in t.stdout + t.stderr
    assert run("pgconfig", "create", "-c", tmp_path / "x.yaml", "--with-password").returncode == 2
    assert run("pgconfig", "create", "-c", tmp_path / "y.yaml", "--from-dsn", "justaname").returncode == 2
@pytest.mark.parametrize("args", [["--connection-type", "async"], ["--connection-type", "async_pool"],
                                  ["--connection-type", "all"], ["--connection-type", "async", "--wait", "3"]],
                         ids=["async", "async_pool", "all", "async-wait"])
def test_pgconnect_timeout_bounds_a_silent_server(run, cluster, tmp_path, args):
    # Accepts TCP connections and never answers; the deadline comes from PGCONNECT_TIMEOUT only.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        cfg = cluster.write_config(tmp_path / "silent.yaml", port=silent.getsockname()[1], connect_timeout=None,
                                   sections={"async_pool_settings": {"min_size": 3, "max_size": 5}})
        t0 = time.monotonic()
        r = run("pgconfig", "test", "-c", cfg, *args, env={"PGCONNECT_TIMEOUT": "2"}, timeout=120)
        took = time.monotonic() - t0
    finally:
        silent.close()
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "timeout" in r.stderr.lower()
    assert took < 20, took  # 2 s per attempt (and --wait's 3 s), not the async probe's 60 s


def test_config_that_is_not_a_small_regular_file_is_refused(run, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = run("pgconfig", "validate", "-c", fifo, timeout=30)  # blocked forever before
    assert r.returncode == 2 and "it is a FIFO" in r.stderr
    r = run("pgconfig", "validate", "-c", "/dev/zero", timeout=30)  # grew to gigabytes before
    assert r.returncode == 2 and "it is a character device" in r.stderr
    big = tmp_path / "big.yaml"
    big.write_text("connection_type: normal\n" + "#" * (2 * 1024 * 1024) + "\n")
    r = run("pgconfig", "validate", "-c", big, timeout=30)
    assert r.returncode == 2
    assert f"config {big} is 2.0 MiB (2097177 bytes), over the limit of 1.0 MiB (1048576 bytes)" in r.stderr


def test_a_large_merge_validates_in_linear_time(run, tmp_path):
    # 80,000 merged keys in a file under 1 MiB: minutes with a lookup per key, well under a second
    # now; the timeout only guards against the old behaviour hanging the suite.
    cfg = tmp_path / "merge.yaml"
    keys = "".join(f"  k{i}: v\n" for i in range(80000))
    cfg.write_text(f"base: &b\n{keys}connection_type: normal\nconnection_settings:\n  <<: *b\n  host: h\n")
    assert cfg.stat().st_size < 1024 * 1024
    r = run("pgconfig", "validate", "-c", cfg, timeout=40)
    assert r.returncode == 2
    assert "invalid, 80001 errors" in r.stdout  # every merged key is unknown, and 'base' too
