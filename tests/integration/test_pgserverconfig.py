"""pgserverconfig against throw-away clusters: a weak one where the rules fire, a hardened one
(TLS with a CA made here, scram only, hostssl only) where they pass, a non-superuser, a server
that is down, and proof that an audit changes nothing."""
import json
import pathlib
import socket
import subprocess
import time

import psycopg
import pytest

from conftest import BIN, clean_env, free_port, start_cluster

STATUSES = {"OK", "WARN", "FAIL", "SKIP"}
GROUPS = {"Capacity", "TLS", "Authentication", "Privileges", "Timeouts", "Logging", "Memory"}
FINDING_KEYS = {"rule", "group", "status", "setting", "current", "recommended", "fix", "message", "hba_line"}
SESSION = {"statement_timeout": "30000", "lock_timeout": "10000", "idle_in_transaction_session_timeout": "60000"}
POOL = {"min_size": 1, "max_size": 10, "max_idle": 300}
APP_PASSWORD = "app-Secret-123"


@pytest.fixture(scope="module")
def weak(tmp_path_factory):
    d = tmp_path_factory.mktemp("weak")
    hba = d / "pg_hba.conf"
    # Line 4 is what our hints print for sslmode=require, pasted before ssl = on: inert, not broken.
    # Line 5 admits superusers only through a group.
    hba.write_text("local all all trust\n"
                   "host all all 127.0.0.1/32 md5\n"
                   "host all all 0.0.0.0/0 trust\n"
                   "hostssl all all 10.0.0.0/8 scram-sha-256\n"
                   "host all +dbas 192.168.0.0/24 scram-sha-256\n")
    c = start_cluster("--hba-file", str(hba), "--set", "ssl=off", "--set", "password_encryption=md5",
                      "--set", "log_connections=off", "--set", "work_mem=64MB")
    try:
        with c.connect() as conn:
            # MD5 hashes on purpose (the session's setting, whatever the server's default).
            conn.execute("SET password_encryption = 'md5'")
            conn.execute(f"CREATE ROLE app LOGIN PASSWORD '{APP_PASSWORD}'")
            conn.execute("CREATE ROLE admin SUPERUSER LOGIN PASSWORD 'admin'")  # password = name
            conn.execute("CREATE ROLE dbas NOLOGIN")
            conn.execute("GRANT dbas TO admin")
            conn.execute("CREATE ROLE ops NOLOGIN CREATEROLE")
            conn.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
        yield c
    finally:
        c.stop()


def make_certs(d):
    """A CA and a server certificate for 127.0.0.1 signed by it (EC keys: quick to make)."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=pgmonkey test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf")
    return d / "ca.crt", d / "server.crt", d / "server.key"


def superuser(c, dbname="postgres"):
    """The hardened cluster admits the superuser over its Unix socket only."""
    return psycopg.connect(host=str(c.dir), port=c.port, user=c.user, password=c.password, dbname=dbname,
                           autocommit=True)


@pytest.fixture(scope="module")
def hardened(tmp_path_factory):
    d = tmp_path_factory.mktemp("hardened")
    ca, crt, key = make_certs(d)
    hba = d / "pg_hba.conf"
    hba.write_text("local all postgres scram-sha-256\n"
                   "hostssl appdb app 127.0.0.1/32 scram-sha-256\n")
    c = start_cluster("--hba-file", str(hba), "--copy", str(crt), "--copy", str(key),
                      "--set", "ssl=on", "--set", "ssl_min_protocol_version='TLSv1.2'",
                      "--set", "log_connections=on", "--set", "log_disconnections=on",
                      "--set", "log_line_prefix='%m [%p] %q%u@%d app=%a client=%h '",
                      "--set", "max_connections=40", "--set", "shared_buffers=128MB",
                      "--set", "effective_cache_size=384MB", "--set", "maintenance_work_mem=32MB",
                      "--set", "ssl_ciphers='HIGH:!aNULL:!kRSA'", "--set", "unix_socket_permissions=0770",
                      "--set", "logging_collector=on", "--set", "log_statement=ddl",
                      "--set", "log_min_duration_statement=1000")
    try:
        with superuser(c) as conn:
            # A limit above the pools (10) plus headroom (5): a pool storm stops there.
            conn.execute(f"CREATE ROLE app LOGIN CONNECTION LIMIT 20 PASSWORD '{APP_PASSWORD}'")
            conn.execute("CREATE DATABASE appdb OWNER app")
            conn.execute("GRANT pg_read_all_settings TO app")  # the hidden ssl settings
        with superuser(c, "appdb") as conn:
            # What the audit's hint asks for (catalog grants are per database).
            conn.execute("GRANT SELECT ON pg_catalog.pg_hba_file_rules TO app")
            conn.execute("GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO app")
            conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")  # the default from 15 on
        c.ca = ca
        yield c
    finally:
        c.stop()


def weak_config(c, path, **kw):
    return c.write_config(path, connection_type="pool", sslmode="prefer",
                          sections={"pool_settings": POOL, "sync_settings": SESSION}, **kw)


def hardened_config(c, path):
    return c.write_config(path, connection_type="pool", user="app", password=APP_PASSWORD, dbname="appdb",
                          sslmode="verify-full", extra_connection={"sslrootcert": str(c.ca)},
                          sections={"pool_settings": POOL, "sync_settings": SESSION})


def audit_json(run, cfg, *args):
    r = run("pgserverconfig", "-c", cfg, "--audit", "--format", "json", *args)
    assert r.stdout, r.stderr
    return r, json.loads(r.stdout)


def by_rule(doc, rule):
    return [f for f in doc["findings"] if f["rule"] == rule]


def statuses(doc, rule):
    return [f["status"] for f in by_rule(doc, rule)]


def check_shape(doc):
    assert set(doc) == {"server", "connection_budget", "findings", "hba", "summary"}
    assert doc["findings"], "no findings at all"
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["status"] in STATUSES
        assert f["group"] in GROUPS
        assert f["rule"].split(".")[0] in {"capacity", "tls", "auth", "hba", "privileges", "timeouts", "logging",
                                           "memory"}
        for key in ("rule", "current", "recommended", "message"):
            assert isinstance(f[key], str)
        for key in ("setting", "fix"):
            assert f[key] is None or (isinstance(f[key], str) and f[key]), (f["rule"], key)
        if f["rule"].startswith(("logging.", "memory.", "timeouts.")) and f["rule"] not in (
                "memory.worst_case", "timeouts.session_settings"):
            assert f["setting"], f["rule"]
        assert f["hba_line"] is None or isinstance(f["hba_line"], int)
    counts = {s: sum(1 for f in doc["findings"] if f["status"] == s) for s in STATUSES}
    assert doc["summary"] == {"ok": counts["OK"], "warn": counts["WARN"], "fail": counts["FAIL"],
                              "skip": counts["SKIP"]}


def test_weak_cluster_rules_fire(weak, run, tmp_path):
    cfg = weak_config(weak, tmp_path / "weak.yaml")
    r, doc = audit_json(run, cfg, "--ram", "512MB")
    assert r.returncode == 1, r.stderr
    check_shape(doc)
    assert doc["server"]["superuser"] is True
    assert doc["server"]["version_num"] >= 120000
    assert doc["connection_budget"]["app_total"] == 10
    lines = {h["line_number"]: h["line"] for h in doc["hba"]["rules"]}
    assert lines == {1: "local all all trust", 2: "host all all 127.0.0.1/32 md5", 3: "host all all 0.0.0.0/0 trust",
                     4: "hostssl all all 10.0.0.0/8 scram-sha-256", 5: "host all +dbas 192.168.0.0/24 scram-sha-256"}
    method = {f["hba_line"]: f["status"] for f in by_rule(doc, "hba.method")}
    assert method == {1: "FAIL", 2: "WARN", 3: "FAIL"}  # trust, md5, trust
    assert by_rule(doc, "hba.method")[0]["fix"] == "pg_hba.conf: local all all scram-sha-256"
    # /0, and /8 (wider than /16); the loopback line is local.
    assert {f["hba_line"]: f["status"] for f in by_rule(doc, "hba.open_address")} == {3: "WARN", 4: "WARN"}
    assert "0.0.0.0" in by_rule(doc, "hba.open_address")[0]["message"]
    assert statuses(doc, "tls.ssl") == ["WARN"]
    assert "ssl = off" in by_rule(doc, "tls.ssl")[0]["current"]
    assert statuses(doc, "tls.session") == ["WARN"]
    pe = by_rule(doc, "auth.password_encryption")[0]
    assert (pe["status"], pe["current"], pe["recommended"]) == ("FAIL", "md5", "scram-sha-256")
    lc = by_rule(doc, "logging.connections")[0]
    assert (lc["status"], lc["current"], lc["recommended"]) == ("WARN", "off", "on")
    assert lc["setting"] == "log_connections"
    assert lc["fix"] == "ALTER SYSTEM SET log_connections = on; SELECT pg_catalog.pg_reload_conf();"
    # Line 2 is loopback (not "over the network"); line 5 admits admin through +dbas.
    assert {f["hba_line"] for f in by_rule(doc, "hba.superuser_remote")} == {3, 4, 5}
    assert "admin" in [f for f in by_rule(doc, "hba.superuser_remote") if f["hba_line"] == 5][0]["message"]
    assert {f["hba_line"] for f in by_rule(doc, "hba.all")} == {3, 4, 5}  # line 2 is loopback
    # The audit's own statement_timeout (startup options) is not what it judges.
    st = by_rule(doc, "timeouts.statement_timeout")[0]
    assert (st["status"], st["current"]) == ("OK", "0 (default)")
    # The hostssl line while ssl = off: PostgreSQL logs it and loads it; the next reload works.
    errors = by_rule(doc, "hba.errors")
    assert [(f["hba_line"], f["status"]) for f in errors] == [(4, "WARN")]
    assert "inert until ssl = on" in errors[0]["message"]
    md5 = by_rule(doc, "auth.md5_hashes")[0]
    assert md5["status"] == "WARN" and "admin" in md5["current"] and "app" in md5["current"]
    name = by_rule(doc, "auth.password_is_name")[0]
    assert (name["status"], name["current"]) == ("FAIL", "admin")
    assert "superuser: admin" in name["message"]
    assert "public" in by_rule(doc, "privileges.public_create")[0]["current"]
    assert by_rule(doc, "privileges.public_create")[0]["status"] == "WARN"
    assert by_rule(doc, "privileges.createrole")[0]["current"] == "ops"
    assert statuses(doc, "privileges.untrusted_languages") == ["OK"]
    assert statuses(doc, "capacity.role_limit") == ["WARN"]  # a superuser: limits do not apply
    assert statuses(doc, "logging.min_duration_statement") == ["WARN"]  # -1 by default
    assert statuses(doc, "logging.statement") == ["WARN"]  # none by default
    first = by_rule(doc, "hba.first_match")[0]
    assert (first["status"], first["hba_line"]) == ("OK", 2)
    assert statuses(doc, "memory.work_mem") == ["FAIL"]  # 64MB x 100 connections > 512MB
    assert statuses(doc, "memory.worst_case") == ["FAIL"]
    assert statuses(doc, "capacity.max_connections") == ["OK"]
    assert weak.password not in r.stdout + r.stderr


def test_weak_cluster_text_report(weak, run, tmp_path):
    cfg = weak_config(weak, tmp_path / "weak.yaml")
    r = run("pgserverconfig", "-c", cfg, "--audit")
    assert r.returncode == 1, r.stderr
    out = r.stdout
    for group in GROUPS:
        assert f"\n{group}\n" in out
    assert "RULE" in out and "STATUS" in out and "RECOMMENDED" in out
    assert "pg_hba.conf rules (5 as the server reads them):" in out
    hba_part = out.split("pg_hba.conf rules")[1]
    assert "host all all 0.0.0.0/0 trust" in hba_part
    assert "FAIL hba.method: trust lets anyone in" in hba_part
    # The inert hostssl line is listed as the rule it is, with the WARN under it.
    assert "hostssl all all 10.0.0.0/8 scram-sha-256\n" in hba_part
    assert "WARN hba.errors: inert until ssl = on" in hba_part
    # Every settings rule names its setting and prints the statement that fixes it.
    row = [line for line in out.splitlines() if line.strip().startswith("logging.connections")][0]
    assert "log_connections" in row.split("logging.connections", 1)[1]
    assert "fix: ALTER SYSTEM SET log_connections = on; SELECT pg_catalog.pg_reload_conf();" in out
    summary = [line for line in out.splitlines() if line.startswith("summary:")]
    assert len(summary) == 1 and "FAIL" in summary[0] and "--fail-on fail" in summary[0]
    assert "\033[" not in out  # NO_COLOR and not a TTY


def test_audit_changes_no_setting(weak, run, tmp_path):
    cfg = weak_config(weak, tmp_path / "weak.yaml")
    query = ("SELECT name, setting, source, sourcefile, sourceline, pending_restart FROM pg_settings "
             "ORDER BY name")
    before = weak.sql(query)
    hba_before = weak.sql("SELECT * FROM pg_hba_file_rules")
    roles_before = weak.sql("SELECT rolname, rolconfig FROM pg_roles ORDER BY rolname")
    r = run("pgserverconfig", "-c", cfg, "--audit", "--ram", "1GB", "--cpus", "4", "--workload", "oltp")
    assert r.returncode == 1, r.stderr
    assert weak.sql(query) == before
    assert weak.sql("SELECT * FROM pg_hba_file_rules") == hba_before
    assert weak.sql("SELECT rolname, rolconfig FROM pg_roles ORDER BY rolname") == roles_before
    assert weak.sql("SELECT count(*) FROM pg_db_role_setting") == [(0,)]


def test_non_superuser_skips_hba_rules(weak, run, tmp_path):
    cfg = weak_config(weak, tmp_path / "app.yaml", user="app", password=APP_PASSWORD)
    r, doc = audit_json(run, cfg)
    assert r.returncode == 1, r.stderr  # findings, not a connection failure
    check_shape(doc)
    assert doc["server"]["user"] == "app" and doc["server"]["superuser"] is False
    assert doc["hba"]["readable"] is False and doc["hba"]["rules"] == []
    assert doc["hba"]["hint"].startswith("in database postgres: GRANT SELECT ON pg_catalog.pg_hba_file_rules TO \"app\"")
    for rule in ("hba.method", "hba.open_address", "hba.all", "hba.superuser_remote", "hba.errors",
                 "hba.first_match", "tls.hostssl_only"):
        assert statuses(doc, rule) == ["SKIP"], rule
        assert "pg_hba_file_rules() TO \"app\"" in by_rule(doc, rule)[0]["message"]
    # Hidden from a plain role: SKIP, not FAIL.
    assert statuses(doc, "tls.min_protocol") == ["SKIP"]
    assert "hidden" in by_rule(doc, "tls.min_protocol")[0]["message"]
    assert statuses(doc, "tls.cert_files") == ["SKIP"]  # pg_stat_file is not allowed either
    grant = 'GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_file(text, boolean) TO "app"'
    assert grant in by_rule(doc, "tls.cert_files")[0]["message"]
    for rule in ("auth.md5_hashes", "auth.password_is_name"):
        assert statuses(doc, rule) == ["SKIP"], rule
        assert 'GRANT SELECT ON pg_catalog.pg_authid TO "app"' in by_rule(doc, rule)[0]["message"]
    st = by_rule(doc, "timeouts.statement_timeout")[0]
    assert st["status"] == "SKIP" and "GRANT SELECT ON pg_catalog.pg_file_settings TO \"app\"" in st["message"]
    # Every SKIP that is about this role's privileges names the grant that would lift it.
    for f in doc["findings"]:
        if f["status"] == "SKIP" and ("role app" in f["message"] or "\"app\"" in f["message"]):
            assert "GRANT" in f["message"], f
    # What the role can see is still judged.
    assert statuses(doc, "auth.password_encryption") == ["FAIL"]
    assert statuses(doc, "timeouts.session_settings") == ["OK", "OK", "OK"]


def test_hardened_cluster_passes(hardened, run, tmp_path):
    cfg = hardened_config(hardened, tmp_path / "hard.yaml")
    r, doc = audit_json(run, cfg, "--fail-on", "warn", "--ram", "512MB")
    bad = [f for f in doc["findings"] if f["status"] in ("WARN", "FAIL")]
    assert r.returncode == 0, bad or r.stderr
    check_shape(doc)
    assert doc["hba"]["readable"] is True
    for rule in ("tls.ssl", "tls.session", "tls.min_protocol", "tls.ciphers", "tls.hostssl_only",
                 "auth.password_encryption", "auth.unix_socket_permissions", "auth.authentication_timeout",
                 "hba.method", "hba.open_address", "hba.all", "hba.superuser_remote", "hba.errors",
                 "privileges.public_create", "privileges.createrole", "privileges.untrusted_languages",
                 "logging.connections", "logging.disconnections", "logging.line_prefix", "logging.destination",
                 "logging.statement", "logging.min_duration_statement", "logging.min_error_statement",
                 "capacity.max_connections", "capacity.role_limit", "capacity.login_roles",
                 "memory.shared_buffers", "memory.work_mem", "memory.worst_case"):
        assert statuses(doc, rule) == ["OK"], (rule, by_rule(doc, rule))
    assert by_rule(doc, "tls.session")[0]["current"].startswith("TLS TLSv1.")
    first = by_rule(doc, "hba.first_match")[0]
    assert (first["status"], first["hba_line"]) == ("OK", 2)
    # PostgreSQL 16+ numbers the rules (pg_hba_file_rules.rule_number) and the audit shows it.
    assert first["current"] in ("line 2: hostssl appdb app 127.0.0.1/32 scram-sha-256",
                                "rule 2 (line 2): hostssl appdb app 127.0.0.1/32 scram-sha-256")
    assert statuses(doc, "tls.ca_file") == ["SKIP"]  # no client certificate in the config
    assert APP_PASSWORD not in r.stdout + r.stderr


def test_hardened_key_checked_by_a_superuser(hardened, run, tmp_path):
    """Whether the TLS key is encrypted is read server-side (pg_read_file); only the verdict returns."""
    cfg = hardened.write_config(tmp_path / "su.yaml", host=str(hardened.dir), user=hardened.user,
                                password=hardened.password, dbname="postgres")
    r, doc = audit_json(run, cfg)
    assert doc["server"]["superuser"] is True, r.stderr
    key = by_rule(doc, "tls.key_passphrase")[0]
    assert (key["status"], key["current"]) == ("OK", "not encrypted")
    assert "PRIVATE KEY" not in r.stdout + r.stderr
    # The app role may not read server files: SKIP, with what would allow it.
    r, doc = audit_json(run, hardened_config(hardened, tmp_path / "hard.yaml"))
    assert statuses(doc, "tls.key_passphrase") == ["SKIP"]


def test_hardened_first_match_for_other_client_network(hardened, run, tmp_path):
    cfg = hardened_config(hardened, tmp_path / "hard.yaml")
    r, doc = audit_json(run, cfg, "--client-cidr", "10.9.0.0/16")
    assert r.returncode == 1, r.stderr
    first = by_rule(doc, "hba.first_match")[0]
    assert first["status"] == "FAIL" and "10.9.0.0/16" in first["message"]


def test_server_down_exits_3(run, tmp_path, weak):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = weak.write_config(tmp_path / "down.yaml", port=port, connect_timeout=3)
    r = run("pgserverconfig", "-c", cfg, "--audit", "--format", "json")
    assert r.returncode == 3, r.stderr
    doc = json.loads(r.stdout)  # scripts get a document saying why there is no report
    assert doc["ok"] is False and doc["exit_code"] == 3 and doc["error"]
    assert "error:" in r.stderr


def test_hints_without_server(run, tmp_path, weak):
    cfg = weak.write_config(tmp_path / "hints.yaml", connection_type="pool", port=1, sslmode="require",
                            sections={"pool_settings": {"min_size": 1, "max_size": 15},
                                      "async_pool_settings": {"min_size": 1, "max_size": 5}})
    r = run("pgserverconfig", "-c", cfg, "--app-instances", "3")
    assert r.returncode == 0, r.stderr
    # (15 + 5) x 3 = 60, + 3 reserved + 12 headroom = 75
    assert "\nmax_connections = 75\n" in r.stdout
    assert "15 (pool_settings.max_size) + 5 (async_pool_settings.max_size) = 20" in r.stdout
    assert "\nssl = on\n" in r.stdout
    # Commented out: PostgreSQL would take <client-cidr> for a host name and never match the rule.
    assert "\n# hostssl postgres postgres <client-cidr> scram-sha-256\n" in r.stdout
    assert "\nhostssl " not in r.stdout
    assert "remove the leading '# '" in r.stdout
    assert "clientcert" not in r.stdout
    assert "\nshared_buffers =" not in r.stdout  # no --ram, no memory advice
    assert "--ram SIZE" in r.stdout
    r = run("pgserverconfig", "-c", cfg, "--client-cidr", "10.0.4.0/24", "--ram", "8GB", "--cpus", "4",
            "--workload", "oltp", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["connection_budget"]["max_connections"] == 28  # 20 + 3 + 5
    assert doc["pg_hba_conf"][0]["line"] == "hostssl postgres postgres 10.0.4.0/24 scram-sha-256"
    conf = {e["name"]: e["value"] for e in doc["postgresql_conf"]}
    assert conf["shared_buffers"] == "2GB" and conf["effective_cache_size"] == "6GB"
    assert conf["password_encryption"] == "'scram-sha-256'"
    assert doc["sizing"]["work_mem_kb"] == 65536


@pytest.mark.parametrize("args", [["--cpus", "4"], ["--client-cidr", "nowhere"], ["--ram", "lots"],
                                  ["--workload", "batch", "--ram", "1GB"], ["--fail-on", "sometimes"],
                                  ["--app-instances", "0"], ["--app-instances", "x"], ["--cpus", "0", "--ram", "1GB"]])
def test_usage_errors_exit_2(run, tmp_path, weak, args):
    cfg = weak.write_config(tmp_path / "u.yaml")
    r = run("pgserverconfig", "-c", cfg, *args)
    assert r.returncode == 2, (args, r.stderr)
    # With --format json the failure is a document too, and the message stays short.
    r = run("pgserverconfig", "-c", cfg, "--format", "json", *args)
    assert r.returncode == 2, (args, r.stderr)
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["exit_code"] == 2 and doc["error"], args
    assert len(doc["error"]) < 120, doc["error"]


@pytest.mark.parametrize("args", [["--no-such-flag"], ["--app-instances"], ["--format=json", "--bogus"]])
def test_parse_errors_give_a_json_document(run, tmp_path, weak, args):
    cfg = weak.write_config(tmp_path / "u.yaml")
    fmt = [] if any(a.startswith("--format") for a in args) else ["--format", "json"]
    r = run("pgserverconfig", "-c", cfg, *fmt, *args)
    assert r.returncode == 2, (args, r.stderr)
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["exit_code"] == 2, args


def test_app_instances_zero_message(run, tmp_path, weak):
    cfg = weak.write_config(tmp_path / "u.yaml")
    r = run("pgserverconfig", "-c", cfg, "--app-instances", "0")
    assert r.returncode == 2
    assert "--app-instances 0 is not a whole number from 1 to 100000" in r.stderr
    assert "1797693" not in r.stderr


def test_fail_on_never_reports_only(weak, run, tmp_path):
    cfg = weak_config(weak, tmp_path / "weak.yaml")
    r, doc = audit_json(run, cfg, "--fail-on", "never")
    assert r.returncode == 0, r.stderr
    assert doc["summary"]["fail"] > 0  # the same findings, only the exit code differs
    r = run("pgserverconfig", "-c", cfg, "--audit", "--fail-on", "never")
    assert r.returncode == 0
    assert "report only (--fail-on never)" in r.stdout
    down = weak.write_config(tmp_path / "down.yaml", port=free_port(), connect_timeout=3)
    assert run("pgserverconfig", "-c", down, "--audit", "--fail-on", "never").returncode == 3


def test_role_statement_timeout_cannot_break_the_audit(weak, run, tmp_path):
    """ALTER ROLE ... SET statement_timeout = '1ms' used to make the audit fail with exit 1."""
    weak.sql("CREATE ROLE tiny LOGIN PASSWORD 'tiny-Secret-1'")
    try:
        weak.sql("ALTER ROLE tiny SET statement_timeout = '1ms'")
        weak.sql("ALTER ROLE tiny SET lock_timeout = '1ms'")
        cfg = weak_config(weak, tmp_path / "tiny.yaml", user="tiny", password="tiny-Secret-1")
        r, doc = audit_json(run, cfg)
        assert r.returncode == 1, r.stderr  # findings (trust lines ...), and a complete report
        check_shape(doc)
        assert doc["server"]["user"] == "tiny"
        st = by_rule(doc, "timeouts.statement_timeout")[0]
        assert (st["status"], st["current"]) == ("OK", "1ms (user)")
    finally:
        weak.sql("DROP ROLE tiny")


def test_audit_that_cannot_finish_is_not_findings(weak, run, tmp_path):
    """A catalog view locked by another session: exit 2 with a document saying the audit did not
    finish (after the audit's own lock_timeout of 5 s), never exit 1."""
    cfg = weak_config(weak, tmp_path / "weak.yaml")
    with weak.connect() as holder:
        holder.autocommit = False
        holder.execute("LOCK TABLE pg_catalog.pg_hba_file_rules IN ACCESS EXCLUSIVE MODE")
        r = run("pgserverconfig", "-c", cfg, "--audit", "--format", "json")
        holder.rollback()
    assert r.returncode == 2, (r.stdout, r.stderr)
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["exit_code"] == 2
    assert doc["error"].startswith("the audit could not finish")
    assert "no findings were judged" in doc["hint"]


def test_audit_whose_session_breaks_exits_3(weak, tmp_path):
    cfg = weak_config(weak, tmp_path / "weak.yaml")
    with weak.connect() as holder:
        holder.autocommit = False
        holder.execute("LOCK TABLE pg_catalog.pg_hba_file_rules IN ACCESS EXCLUSIVE MODE")
        # libpqxx 6.4 leaks the last PGresult when the session is killed mid-query (see the file).
        lsan = {"LSAN_OPTIONS": f"suppressions={pathlib.Path(__file__).parent / 'lsan_libpqxx.supp'}"}
        p = subprocess.Popen([str(BIN / "pgserverconfig"), "-c", str(cfg), "--audit", "--format", "json"],
                             env=clean_env(lsan), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            killed = []
            for _ in range(100):
                killed = weak.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE application_name = 'pgserverconfig' AND wait_event_type = 'Lock'")
                if killed:
                    break
                time.sleep(0.05)
            assert killed, "the audit never waited on the lock"
            out, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
            holder.rollback()
    assert p.returncode == 3, (out, err)
    doc = json.loads(out)
    assert doc["ok"] is False and doc["exit_code"] == 3
    assert doc["error"].startswith("the audit could not finish")


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A cluster logging every statement, with the application name and user on each line."""
    c = start_cluster("--set", "log_statement=all", "--set", "log_line_prefix='%a|%u|'")
    try:
        c.sql(f"CREATE ROLE app LOGIN PASSWORD '{APP_PASSWORD}'")
        yield c
    finally:
        c.stop()


def test_audit_is_read_only_in_the_server_log(logged, run, tmp_path):
    """Proof from the server's side: the audit's sessions send only SELECT and SHOW, and a plain
    role's audit asks for its privileges first, so it leaves no permission errors."""
    log = logged.dir / "server.log"
    start = log.stat().st_size
    for name, kw in (("su.yaml", {}), ("app.yaml", {"user": "app", "password": APP_PASSWORD})):
        cfg = weak_config(logged, tmp_path / name, **kw)
        r = run("pgserverconfig", "-c", cfg, "--audit", "--ram", "1GB")
        assert r.returncode in (0, 1), r.stderr
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(start)
        lines = [line for line in f.read().splitlines() if line.startswith("pgserverconfig|")]
    statements = [line.split("statement: ", 1)[1] for line in lines if "statement: " in line]
    assert {line.split("|")[1] for line in lines if "statement: " in line} == {logged.user, "app"}
    assert len(statements) > 10
    for st in statements:
        assert st.lstrip().upper().startswith(("SELECT", "SHOW")), st
    assert not [line for line in lines if "ERROR:" in line or "permission denied" in line]


def test_ram_beyond_range_is_a_usage_error(run, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("connection_type: normal\nconnection_settings:\n  host: localhost\n")
    for ram in ("61092269061t", "1025TB", "99999999999999999999999"):
        r = run("pgserverconfig", "-c", cfg, "--ram", ram)
        assert r.returncode == 2, (ram, r.stdout)  # printed shared_buffers = 0 and exit 0 before
        assert f"--ram {ram} is not a size from 1kB to 1024TB" in r.stderr
        assert "shared_buffers" not in r.stdout
    r = run("pgserverconfig", "-c", cfg, "--ram", "1024TB")
    assert r.returncode == 0 and "shared_buffers = 256TB" in r.stdout
