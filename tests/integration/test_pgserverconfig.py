"""pgserverconfig against throw-away clusters: a weak one where the rules fire, a hardened one
(TLS with a CA made here, scram only, hostssl only) where they pass, a non-superuser, a server
that is down, and proof that an audit changes nothing."""
import json
import socket
import subprocess

import psycopg
import pytest

from conftest import start_cluster

STATUSES = {"OK", "WARN", "FAIL", "SKIP"}
GROUPS = {"Capacity", "TLS", "Authentication", "Timeouts", "Logging", "Memory"}
FINDING_KEYS = {"rule", "group", "status", "current", "recommended", "message", "hba_line"}
SESSION = {"statement_timeout": "30000", "lock_timeout": "10000", "idle_in_transaction_session_timeout": "60000"}
POOL = {"min_size": 1, "max_size": 10, "max_idle": 300}
APP_PASSWORD = "app-Secret-123"


@pytest.fixture(scope="module")
def weak(tmp_path_factory):
    d = tmp_path_factory.mktemp("weak")
    hba = d / "pg_hba.conf"
    hba.write_text("local all all trust\n"
                   "host all all 127.0.0.1/32 md5\n"
                   "host all all 0.0.0.0/0 trust\n")
    c = start_cluster("--hba-file", str(hba), "--set", "ssl=off", "--set", "password_encryption=md5",
                      "--set", "log_connections=off", "--set", "work_mem=64MB")
    try:
        c.sql(f"CREATE ROLE app LOGIN PASSWORD '{APP_PASSWORD}'")
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
                      "--set", "effective_cache_size=384MB", "--set", "maintenance_work_mem=32MB")
    try:
        with superuser(c) as conn:
            conn.execute(f"CREATE ROLE app LOGIN PASSWORD '{APP_PASSWORD}'")
            conn.execute("CREATE DATABASE appdb OWNER app")
            conn.execute("GRANT pg_read_all_settings TO app")  # the hidden ssl settings
        with superuser(c, "appdb") as conn:
            # What the audit's hint asks for (catalog grants are per database).
            conn.execute("GRANT SELECT ON pg_catalog.pg_hba_file_rules TO app")
            conn.execute("GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO app")
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
        assert f["rule"].split(".")[0] in {"capacity", "tls", "auth", "hba", "timeouts", "logging", "memory"}
        for key in ("rule", "current", "recommended", "message"):
            assert isinstance(f[key], str)
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
    assert lines == {1: "local all all trust", 2: "host all all 127.0.0.1/32 md5", 3: "host all all 0.0.0.0/0 trust"}
    method = {f["hba_line"]: f["status"] for f in by_rule(doc, "hba.method")}
    assert method == {1: "FAIL", 2: "WARN", 3: "FAIL"}  # trust, md5, trust
    assert {f["hba_line"]: f["status"] for f in by_rule(doc, "hba.open_address")} == {3: "WARN"}
    assert "0.0.0.0" in by_rule(doc, "hba.open_address")[0]["message"]
    assert statuses(doc, "tls.ssl") == ["WARN"]
    assert "ssl = off" in by_rule(doc, "tls.ssl")[0]["current"]
    assert statuses(doc, "tls.session") == ["WARN"]
    pe = by_rule(doc, "auth.password_encryption")[0]
    assert (pe["status"], pe["current"], pe["recommended"]) == ("FAIL", "md5", "scram-sha-256")
    lc = by_rule(doc, "logging.connections")[0]
    assert (lc["status"], lc["current"], lc["recommended"]) == ("WARN", "off", "on")
    assert {f["hba_line"] for f in by_rule(doc, "hba.superuser_remote")} == {2, 3}
    assert {f["hba_line"] for f in by_rule(doc, "hba.all_all")} == {2, 3}
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
    assert "pg_hba.conf rules (3 as the server reads them):" in out
    hba_part = out.split("pg_hba.conf rules")[1]
    assert "host all all 0.0.0.0/0 trust" in hba_part
    assert "FAIL hba.method: trust lets anyone in" in hba_part
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
    for rule in ("hba.method", "hba.open_address", "hba.all_all", "hba.superuser_remote", "hba.errors",
                 "hba.first_match", "tls.hostssl_only"):
        assert statuses(doc, rule) == ["SKIP"], rule
        assert "pg_hba_file_rules() TO \"app\"" in by_rule(doc, rule)[0]["message"]
    # Hidden from a plain role: SKIP, not FAIL.
    assert statuses(doc, "tls.min_protocol") == ["SKIP"]
    assert "hidden" in by_rule(doc, "tls.min_protocol")[0]["message"]
    assert statuses(doc, "tls.cert_files") == ["SKIP"]  # pg_stat_file is not allowed either
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
    for rule in ("tls.ssl", "tls.session", "tls.min_protocol", "tls.hostssl_only", "auth.password_encryption",
                 "hba.method", "hba.open_address", "hba.all_all", "hba.superuser_remote", "hba.errors",
                 "logging.connections", "logging.disconnections", "logging.line_prefix",
                 "capacity.max_connections", "memory.shared_buffers", "memory.work_mem", "memory.worst_case"):
        assert statuses(doc, rule) == ["OK"], (rule, by_rule(doc, rule))
    assert by_rule(doc, "tls.session")[0]["current"].startswith("TLS TLSv1.")
    first = by_rule(doc, "hba.first_match")[0]
    assert (first["status"], first["hba_line"]) == ("OK", 2)
    # PostgreSQL 16+ numbers the rules (pg_hba_file_rules.rule_number) and the audit shows it.
    assert first["current"] in ("line 2: hostssl appdb app 127.0.0.1/32 scram-sha-256",
                                "rule 2 (line 2): hostssl appdb app 127.0.0.1/32 scram-sha-256")
    assert statuses(doc, "tls.ca_file") == ["SKIP"]  # no client certificate in the config
    assert APP_PASSWORD not in r.stdout + r.stderr


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
    assert "\nhostssl postgres postgres <client-cidr> scram-sha-256\n" in r.stdout
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
                                  ["--workload", "batch", "--ram", "1GB"], ["--fail-on", "never"]])
def test_usage_errors_exit_2(run, tmp_path, weak, args):
    cfg = weak.write_config(tmp_path / "u.yaml")
    r = run("pgserverconfig", "-c", cfg, *args)
    assert r.returncode == 2, (args, r.stderr)
