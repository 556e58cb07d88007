// Audit rules on synthetic snapshots: each rule fires on a weak server and passes on a sound one.
#include <doctest/doctest.h>

#include <algorithm>

#include "config/loader.hpp"
#include "server/audit.hpp"

using namespace pgmonkey;
using namespace pgmonkey::server;

namespace {

config::Config load(const std::string& sslmode, const std::string& extra = {}) {
  auto r = config::load_config_text(
      "connection_type: pool\nconnection_settings:\n  host: db\n  user: app\n"
      "  dbname: appdb\n  sslmode: " +
          sslmode +
          "\n"
          "pool_settings:\n  min_size: 1\n  max_size: 20\n  max_idle: 300\n"
          "sync_settings:\n  statement_timeout: '30000'\n" +
          extra,
      "t.yaml");
  REQUIRE_FALSE(r.has_errors());
  return r.config;
}

HbaRule rule(int line, std::string type, std::string db, std::string user, std::string addr, std::string mask,
             std::string method) {
  HbaRule r;
  r.line_number = line;
  r.type = std::move(type);
  r.databases = {std::move(db)};
  r.users = {std::move(user)};
  r.address = std::move(addr);
  r.netmask = std::move(mask);
  r.auth_method = std::move(method);
  return r;
}

// A hardened PostgreSQL 15 as a superuser-less app role would see it, with a readable HBA.
Snapshot sound() {
  Snapshot s;
  s.server_version_num = 150004;
  s.server_version = "15.4";
  s.user = "app";
  s.database = "appdb";
  s.superusers = {"postgres"};
  s.member_of = {"app"};
  s.client_backends = 5;
  s.session_ssl = true;
  s.session_ssl_version = "TLSv1.3";
  s.client_address = parse_cidr("10.0.4.7");
  auto set = [&s](const std::string& n, const std::string& v, const std::string& unit = "",
                  const std::string& ctx = "sighup", const std::string& src = "configuration file") {
    s.settings[n] = {v, unit, ctx, src};
  };
  set("max_connections", "100", "", "postmaster");
  set("superuser_reserved_connections", "3", "", "postmaster");
  set("ssl", "on");
  set("ssl_cert_file", "server.crt");
  set("ssl_key_file", "server.key");
  set("ssl_ca_file", "");
  set("ssl_min_protocol_version", "TLSv1.2");
  set("password_encryption", "scram-sha-256", "", "user");
  set("listen_addresses", "10.0.0.1", "", "postmaster");
  set("statement_timeout", "0", "ms", "user", "default");
  set("lock_timeout", "0", "ms", "user", "default");
  set("idle_in_transaction_session_timeout", "60000", "ms", "user");
  set("idle_session_timeout", "0", "ms", "user", "default");
  set("log_connections", "on", "", "superuser-backend");
  set("log_disconnections", "on", "", "superuser-backend");
  set("log_line_prefix", "%m [%p] %q%u@%d app=%a client=%h ");
  set("log_hostname", "off");
  set("shared_buffers", "131072", "8kB", "postmaster");  // 1GB
  set("effective_cache_size", "393216", "8kB", "user");  // 3GB
  set("work_mem", "4096", "kB", "user");
  set("maintenance_work_mem", "262144", "kB", "user");  // 256MB
  set("autovacuum_max_workers", "3", "", "postmaster");
  set("autovacuum_work_mem", "-1", "kB");
  s.hba_rules = {rule(1, "local", "all", "postgres", "", "", "peer"),
                 rule(2, "hostssl", "appdb", "app", "10.0.4.0", "255.255.255.0", "scram-sha-256")};
  return s;
}

AuditReport audit(const config::Config& c, Snapshot s, std::optional<Machine> m = std::nullopt) {
  AuditOptions o;
  o.machine = m;
  return judge(c, std::move(s), o);
}

std::vector<Status> statuses(const AuditReport& r, const std::string& rule) {
  std::vector<Status> out;
  for (const auto& f : r.findings)
    if (f.rule == rule) out.push_back(f.outcome.status);
  return out;
}

Status status(const AuditReport& r, const std::string& rule) {
  auto s = statuses(r, rule);
  REQUIRE_MESSAGE(s.size() == 1, rule);
  return s[0];
}

bool has(const std::vector<Status>& v, Status s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const Machine k4GB{4ull * 1024 * 1024, 4, Workload::web};

}  // namespace

TEST_CASE("every rule has an id, a known group, and yields a finding") {
  auto r = audit(load("verify-full"), sound());
  for (const auto& rule : audit_rules()) {
    CHECK(std::find(rule_groups().begin(), rule_groups().end(), rule.group) != rule_groups().end());
    CHECK_FALSE(statuses(r, rule.id).empty());
  }
}

TEST_CASE("a hardened server passes") {
  auto r = audit(load("verify-full", "  idle_in_transaction_session_timeout: '60000'\n"), sound(), k4GB);
  for (const auto& f : r.findings)
    CHECK_MESSAGE((f.outcome.status == Status::ok || f.outcome.status == Status::skip),
                  std::string(f.rule + ": " + f.outcome.message));
  CHECK(status(r, "tls.ca_file") == Status::skip);  // no client certificate in the config
  CHECK_FALSE(r.has_findings(Status::warn));
  CHECK(r.to_json().dump().find("\"rule\": \"hba.first_match\"") != std::string::npos);
}

TEST_CASE("a weak server fails the rules it should") {
  auto s = sound();
  s.settings["ssl"].setting = "off";
  s.settings["password_encryption"].setting = "md5";
  s.settings["log_connections"].setting = "off";
  s.settings["listen_addresses"].setting = "*";
  s.settings["log_line_prefix"].setting = "%m ";
  s.settings["superuser_reserved_connections"].setting = "0";
  s.settings["max_connections"].setting = "15";
  s.settings["statement_timeout"] = {"5000", "ms", "user", "configuration file"};
  s.settings["idle_session_timeout"].setting = "60000";
  s.settings["idle_in_transaction_session_timeout"].setting = "0";
  s.session_ssl = false;
  s.role_connlimit = 10;
  s.hba_rules = {rule(1, "host", "all", "all", "127.0.0.1", "255.255.255.255", "trust"),
                 rule(2, "hostssl", "appdb", "app", "10.0.4.0", "255.255.255.0", "scram-sha-256"),
                 rule(3, "host", "all", "all", "0.0.0.0", "0.0.0.0", "md5"),
                 rule(4, "host", "all", "all", "bogus", "", "password")};
  s.hba_rules[3].error = "invalid IP address";
  auto r = audit(load("prefer"), s);
  CHECK(status(r, "tls.ssl") == Status::warn);  // prefer falls back
  CHECK(status(r, "auth.password_encryption") == Status::fail);
  CHECK(status(r, "logging.connections") == Status::warn);
  CHECK(status(r, "auth.listen_addresses") == Status::warn);
  CHECK(status(r, "logging.line_prefix") == Status::warn);
  CHECK(status(r, "capacity.superuser_reserved") == Status::warn);
  CHECK(status(r, "capacity.max_connections") == Status::fail);
  CHECK(status(r, "capacity.role_limit") == Status::fail);
  CHECK(status(r, "timeouts.statement_timeout") == Status::warn);
  CHECK(status(r, "timeouts.idle_session") == Status::warn);  // 60 s < max_idle 300 s
  CHECK(status(r, "timeouts.idle_in_transaction") == Status::warn);
  CHECK(status(r, "tls.session") == Status::warn);
  auto methods = statuses(r, "hba.method");
  CHECK(methods == std::vector<Status>{Status::fail, Status::warn});  // trust, md5; the error row is skipped
  CHECK(has(statuses(r, "hba.open_address"), Status::warn));
  CHECK(statuses(r, "hba.all_all").size() == 2);
  CHECK(has(statuses(r, "hba.superuser_remote"), Status::warn));
  CHECK(status(r, "hba.errors") == Status::fail);
  CHECK(has(statuses(r, "tls.hostssl_only"), Status::warn));
  // 10.0.4.7 without TLS skips the hostssl rule and lands on the md5 rule open to everyone.
  CHECK(status(r, "hba.first_match") == Status::ok);
  for (const auto& f : r.findings)
    if (f.rule == "hba.first_match") CHECK(f.outcome.hba_rule == 2u);
  CHECK(r.has_findings(Status::fail));
}

TEST_CASE("sslmode require against ssl off and a non-TLS session FAIL") {
  auto s = sound();
  s.settings["ssl"].setting = "off";
  s.session_ssl = false;
  auto r = audit(load("require"), s);
  CHECK(status(r, "tls.ssl") == Status::fail);
  CHECK(status(r, "tls.session") == Status::fail);
}

TEST_CASE("TLS rules do not apply where nothing asks for TLS or over a Unix socket") {
  auto s = sound();
  s.settings["ssl"].setting = "off";
  s.session_ssl = false;
  for (auto& r : s.hba_rules)
    if (r.type == "hostssl") r.type = "host";
  auto r = audit(load("prefer"), s);
  CHECK(statuses(r, "tls.hostssl_only") == std::vector<Status>{Status::skip});  // no hostssl rules, sslmode prefer
  CHECK(status(r, "tls.session") == Status::warn);
  s.client_address.reset();  // inet_client_addr() is NULL over a Unix socket
  r = audit(load("prefer"), s);
  CHECK(status(r, "tls.ssl") == Status::skip);
  CHECK(status(r, "tls.session") == Status::skip);
  CHECK(has(statuses(audit(load("require"), s), "tls.hostssl_only"), Status::warn));  // sslmode asks for TLS
}

TEST_CASE("first-match simulation: no match, reject, non-hostssl") {
  auto c = load("require");
  auto s = sound();
  s.client_address = parse_cidr("192.168.1.1");
  CHECK(status(audit(c, s), "hba.first_match") == Status::fail);
  s.client_address = parse_cidr("10.0.4.7");
  s.hba_rules.insert(s.hba_rules.begin() + 1, rule(2, "host", "appdb", "app", "10.0.4.0", "255.255.255.0", "reject"));
  CHECK(status(audit(c, s), "hba.first_match") == Status::fail);
  s.hba_rules[1].auth_method = "scram-sha-256";
  auto r = audit(c, s);
  CHECK(status(r, "hba.first_match") == Status::warn);
  for (const auto& f : r.findings)
    if (f.rule == "hba.first_match") CHECK(f.outcome.hba_rule == 1u);
  // --client-cidr overrides the audit session's own address.
  AuditOptions o;
  o.client_cidr = parse_cidr("172.16.0.0/12");
  CHECK(status(judge(c, sound(), o), "hba.first_match") == Status::fail);
}

TEST_CASE("unreadable HBA and hidden settings SKIP") {
  auto s = sound();
  s.hba_access = Access::denied;
  s.hba_hint = hba_grant_hint("app", "appdb");
  s.hba_rules.clear();
  s.settings.erase("ssl_min_protocol_version");
  s.absent_settings["statement_timeout"] = ProbeResult::hidden;
  s.settings.erase("statement_timeout");
  auto r = audit(load("verify-full"), s);
  for (const auto* id : {"hba.method", "hba.open_address", "hba.all_all", "hba.superuser_remote", "hba.errors",
                         "hba.first_match", "tls.hostssl_only"}) {
    CHECK_MESSAGE(status(r, id) == Status::skip, id);
  }
  CHECK(status(r, "tls.min_protocol") == Status::skip);
  CHECK(status(r, "timeouts.session_settings") == Status::skip);
  for (const auto& f : r.findings)
    if (f.rule == "hba.method")
      CHECK(f.outcome.message.find("GRANT SELECT ON pg_catalog.pg_hba_file_rules TO \"app\"") != std::string::npos);
  CHECK_FALSE(r.has_findings(Status::warn));
}

TEST_CASE("session settings: unknown FAIL, non-user context FAIL, custom OK") {
  auto s = sound();
  s.absent_settings["no_such_thing"] = ProbeResult::unknown;
  auto r = audit(load("verify-full", "  no_such_thing: '1'\n  shared_buffers: '1GB'\n  myapp.tenant: 'x'\n"), s);
  CHECK(statuses(r, "timeouts.session_settings") ==
        std::vector<Status>{Status::ok, Status::fail, Status::fail, Status::ok});
}

TEST_CASE("memory rules SKIP without --ram and judge PGTune targets with it") {
  CHECK(status(audit(load("verify-full"), sound()), "memory.shared_buffers") == Status::skip);
  auto s = sound();
  s.settings["work_mem"].setting = "65536";        // 64MB x 100 connections > 4GB
  s.settings["shared_buffers"].setting = "16384";  // 128MB, far below 1GB
  auto r = audit(load("verify-full"), s, k4GB);
  CHECK(status(r, "memory.work_mem") == Status::fail);
  CHECK(status(r, "memory.shared_buffers") == Status::warn);
  CHECK(status(r, "memory.worst_case") == Status::fail);
}

TEST_CASE("read-only option is added to libpq options") {
  auto c = load("verify-full");
  auto ro = read_only_config(c);
  CHECK(ro.get("options") == std::string("-c default_transaction_read_only=on"));
  c.connection.push_back({"options", "-c search_path=app", 0});
  CHECK(read_only_config(c).get("options") == std::string("-c search_path=app -c default_transaction_read_only=on"));
}

TEST_CASE("settings newer than the server SKIP with the release that added them") {
  auto s = sound();
  s.server_version_num = 130011;
  s.settings.erase("idle_session_timeout");
  auto r = audit(load("verify-full"), s);
  CHECK(status(r, "timeouts.idle_session") == Status::skip);
  for (const auto& f : r.findings)
    if (f.rule == "timeouts.idle_session") CHECK(f.outcome.message == "idle_session_timeout arrived in PostgreSQL 14");
  CHECK(status(r, "capacity.max_connections") == Status::ok);  // reserved_connections counts as 0 before 16
}
