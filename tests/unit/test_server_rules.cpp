// Audit rules on synthetic snapshots: each rule fires on a weak server and passes on a sound one.
#include <doctest/doctest.h>

#include <algorithm>

#include "config/loader.hpp"
#include "server/audit.hpp"
#include "server/hints.hpp"

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
  set("authentication_timeout", "60", "s");
  set("unix_socket_permissions", "0770", "", "postmaster");
  set("ssl_ciphers", "HIGH:!aNULL:!kRSA");
  set("logging_collector", "on", "", "postmaster");
  set("log_destination", "stderr");
  set("log_statement", "ddl", "", "superuser");
  set("log_min_duration_statement", "1000", "ms", "superuser");
  set("log_min_error_statement", "error", "", "superuser");
  s.role_connlimit = 30;  // pools 20 + headroom 5 or more
  s.login_roles = {{"app", 30, false}, {"postgres", -1, true}};
  s.authid_access = Access::ok;
  s.scram_roles = 2;
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
  CHECK(statuses(r, "hba.all").size() == 1);  // the 0.0.0.0/0 line; the loopback one is local
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
  for (const auto* id : {"hba.method", "hba.open_address", "hba.all", "hba.superuser_remote", "hba.errors",
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

TEST_CASE("a memory setting the server reports beyond any size we read is SKIP with why, not absent") {
  auto s = sound();
  s.settings["shared_buffers"].setting = "99999999999999999999";  // no machine has it; no overflow either
  auto r = audit(load("verify-full"), s, k4GB);
  CHECK(status(r, "memory.shared_buffers") == Status::skip);
  CHECK(status(r, "memory.worst_case") == Status::skip);
  for (const auto& f : r.findings)
    if (f.rule == "memory.shared_buffers") {
      CHECK(f.outcome.message.find("is not a size pgserverconfig can judge") != std::string::npos);
      CHECK(f.outcome.current.find("99999999999999999999") != std::string::npos);
    }
}

TEST_CASE("read-only option is added to libpq options") {
  auto c = load("verify-full");
  auto ro = read_only_config(c);
  const std::string audit_options = "-c default_transaction_read_only=on -c statement_timeout=30s -c lock_timeout=5s";
  CHECK(ro.get("options") == audit_options);
  c.connection.push_back({"options", "-c search_path=app -c statement_timeout=1ms", 0});
  // Appended: the audit's own values win over the config's, and over ALTER ROLE ... SET.
  CHECK(read_only_config(c).get("options") == "-c search_path=app -c statement_timeout=1ms " + audit_options);
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

// Helpers for the defect and new-rule cases below.
namespace {

const AuditFinding& finding(const AuditReport& r, const std::string& rule) {
  for (const auto& f : r.findings)
    if (f.rule == rule) return f;
  FAIL("no finding for " << rule);
  throw std::logic_error("unreachable");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("defect 1: a hostssl line while ssl = off is inert, not a reload failure") {
  auto s = sound();
  s.settings["ssl"].setting = "off";
  s.session_ssl = false;
  // What pg_hba_file_rules shows: the rule parsed, and the LOG line's text in error.
  s.hba_rules[1].error = "hostssl record cannot match because SSL is disabled";
  auto r = audit(load("prefer"), s);
  const auto f = finding(r, "hba.errors");
  CHECK(f.outcome.status == Status::warn);
  CHECK(contains(f.outcome.message, "inert until ssl = on"));
  CHECK(contains(f.outcome.fix, "ALTER SYSTEM SET ssl = on;"));
  // A line the server cannot parse still fails the next reload.
  HbaRule broken;
  broken.line_number = 9;
  broken.error = "invalid IP address \"bogus\"";
  s.hba_rules.push_back(broken);
  CHECK(statuses(audit(load("prefer"), s), "hba.errors") == std::vector<Status>{Status::warn, Status::fail});
}

TEST_CASE("defect 2: hba.superuser_remote sees superusers admitted through +group") {
  auto s = sound();
  s.superusers = {"postgres", "admin"};
  s.role_groups = {{"admin", {"dbas"}}, {"app", {"writers"}}};
  s.hba_rules.push_back(rule(3, "host", "all", "+dbas", "10.0.0.0", "255.255.0.0", "scram-sha-256"));
  auto r = audit(load("verify-full"), s);
  const auto f = finding(r, "hba.superuser_remote");
  CHECK(f.outcome.status == Status::warn);
  CHECK(contains(f.outcome.message, "superuser admin may connect"));
  CHECK(f.outcome.hba_rule == 2u);
}

TEST_CASE("defect 9: loopback lines are not 'over the network'; first match on trust is not OK") {
  auto s = sound();
  s.hba_rules.insert(s.hba_rules.begin() + 1,
                     rule(2, "host", "all", "all", "127.0.0.1", "255.255.255.255", "scram-sha-256"));
  CHECK(status(audit(load("verify-full"), s), "hba.superuser_remote") == Status::ok);
  s = sound();
  s.hba_rules[1].auth_method = "trust";
  auto report_f = audit(load("verify-full"), s);
  const auto f = finding(report_f, "hba.first_match");
  CHECK(f.outcome.status == Status::fail);
  CHECK(contains(f.outcome.message, "trust"));
}

TEST_CASE("defect 9: tls.cert_files SKIP names the pg_stat_file grant") {
  auto s = sound();
  s.settings["ssl"].setting = "off";
  auto r = audit(load("prefer"), s);
  const auto f = finding(r, "tls.cert_files");
  CHECK(f.outcome.status == Status::skip);
  CHECK(contains(f.outcome.message, "GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_file(text, boolean) TO \"app\""));
}

TEST_CASE("defect 3: /regex entries are literal names before PostgreSQL 16 and regexes from 16") {
  auto s = sound();
  s.hba_rules[1].users = {"/^ap+$"};
  s.server_version_num = 150004;
  CHECK(status(audit(load("verify-full"), s), "hba.first_match") == Status::fail);  // no rule for "app"
  s.server_version_num = 160002;
  s.hba_rules[1].rule_number = 2;
  CHECK(status(audit(load("verify-full"), s), "hba.first_match") == Status::ok);
}

TEST_CASE("defect 3: a first match behind an undecided regex is SKIP, not OK") {
  auto s = sound();
  s.server_version_num = 160002;
  s.hba_rules.insert(s.hba_rules.begin() + 1,
                     rule(2, "hostssl", "appdb", "/(a", "10.0.4.0", "255.255.255.0", "reject"));
  auto r = audit(load("verify-full"), s);
  const auto f = finding(r, "hba.first_match");
  CHECK(f.outcome.status == Status::skip);
  CHECK(contains(f.outcome.message, "/(a"));
}

TEST_CASE("first match: no rule admits the client, and the line that would") {
  auto s = sound();
  s.client_address = parse_cidr("192.168.1.1");
  auto report_f = audit(load("verify-full"), s);
  const auto f = finding(report_f, "hba.first_match");
  CHECK(f.outcome.status == Status::fail);
  CHECK(f.outcome.fix == "pg_hba.conf: hostssl appdb app 192.168.1.1/32 scram-sha-256");
}

TEST_CASE("defect 3: a regex the matcher gives up on is SKIP with a reason") {
  auto s = sound();
  s.server_version_num = 160002;
  s.hba_rules.push_back(rule(3, "host", "all", "/.**", "10.0.0.0", "255.255.0.0", "scram-sha-256"));
  auto r = audit(load("verify-full"), s);
  const auto f = finding(r, "hba.superuser_remote");
  CHECK(f.outcome.status == Status::skip);
  CHECK(contains(f.outcome.message, "stacked quantifiers"));
}

TEST_CASE("defect 5: the audit's memory targets are the hints' for the same config") {
  auto c = load("verify-full");
  HintOptions ho;
  ho.machine = k4GB;
  auto hints = make_hints(c, ho);
  REQUIRE(hints.sizing);
  auto r = audit(c, sound(), k4GB);
  CHECK(finding(r, "memory.work_mem").outcome.recommended == format_size_kb(hints.sizing->work_mem_kb));
  CHECK(finding(r, "memory.shared_buffers").outcome.recommended == format_size_kb(hints.sizing->shared_buffers_kb));
  CHECK(recommended_sizing(k4GB, r.budget).work_mem_kb == hints.sizing->work_mem_kb);
}

TEST_CASE("defect 7: settings rules name their GUC and print the fix") {
  auto s = sound();
  s.settings["log_connections"].setting = "off";
  s.settings["max_connections"].setting = "15";
  auto r = audit(load("verify-full"), s);
  const auto lc = finding(r, "logging.connections");
  CHECK(lc.outcome.setting == "log_connections");
  CHECK(lc.outcome.fix == "ALTER SYSTEM SET log_connections = on; SELECT pg_catalog.pg_reload_conf();");
  const auto mc = finding(r, "capacity.max_connections");
  CHECK(mc.outcome.setting == "max_connections");
  CHECK(contains(mc.outcome.fix, "ALTER SYSTEM SET max_connections = "));
  CHECK(contains(mc.outcome.fix, "restart"));  // a postmaster setting
  for (const auto& rule : audit_rules())
    if (!rule.setting.empty())
      for (const auto& f : r.findings)
        if (f.rule == rule.id) CHECK_MESSAGE(!f.outcome.setting.empty(), rule.id);
  const auto json = r.to_json().dump();
  CHECK(contains(json, "\"setting\": \"log_connections\""));
  CHECK(contains(json, "\"fix\": \"ALTER SYSTEM SET log_connections = on;"));
}

TEST_CASE("new: MD5 hashes and passwords equal to the role name") {
  auto s = sound();
  s.superusers = {"postgres", "admin"};
  s.md5_roles = {"admin", "legacy"};
  s.password_is_name = {"admin"};
  auto r = audit(load("verify-full"), s);
  const auto md5 = finding(r, "auth.md5_hashes");
  CHECK(md5.outcome.status == Status::warn);
  CHECK(contains(md5.outcome.current, "admin, legacy"));
  CHECK(contains(md5.outcome.fix, "\\password \"legacy\""));
  const auto name = finding(r, "auth.password_is_name");
  CHECK(name.outcome.status == Status::fail);
  CHECK(contains(name.outcome.message, "superuser: admin"));
  CHECK(contains(name.outcome.message, "SCRAM verifier(s) cannot be checked"));
  s.authid_access = Access::denied;
  r = audit(load("verify-full"), s);
  CHECK(status(r, "auth.md5_hashes") == Status::skip);
  CHECK(
      contains(finding(r, "auth.password_is_name").outcome.message, "GRANT SELECT ON pg_catalog.pg_authid TO \"app\""));
}

TEST_CASE("new: wide HBA networks and `all` in either column") {
  auto s = sound();
  s.hba_rules.push_back(rule(3, "host", "appdb", "app", "10.0.0.0", "255.0.0.0", "scram-sha-256"));
  s.hba_rules.push_back(rule(4, "host", "appdb", "app", "2001:db8::", "ffff:ffff::", "scram-sha-256"));
  s.hba_rules.push_back(rule(5, "host", "appdb", "app", "10.1.0.0", "255.255.0.0", "scram-sha-256"));
  s.hba_rules.push_back(rule(6, "host", "appdb", "all", "10.1.2.0", "255.255.255.0", "scram-sha-256"));
  s.hba_rules.push_back(rule(7, "host", "all", "app", "10.1.2.0", "255.255.255.0", "scram-sha-256"));
  s.hba_rules.push_back(rule(8, "host", "all", "all", "127.0.0.0", "255.0.0.0", "scram-sha-256"));
  auto r = audit(load("verify-full"), s);
  std::vector<std::size_t> wide, all;
  for (const auto& f : r.findings) {
    if (f.rule == "hba.open_address" && f.outcome.status == Status::warn) wide.push_back(*f.outcome.hba_rule);
    if (f.rule == "hba.all" && f.outcome.status == Status::warn) all.push_back(*f.outcome.hba_rule);
  }
  CHECK(wide == std::vector<std::size_t>{2, 3});  // /8 and /32 (IPv6); /16 and loopback /8 pass
  CHECK(all == std::vector<std::size_t>{5, 6});   // loopback all/all is local access
  CHECK(contains(finding(r, "hba.open_address").outcome.message, "10.0.0.0/8 is wider than /16"));
}

TEST_CASE("new: connection limits against a pool storm, and the other login roles") {
  auto s = sound();
  s.role_connlimit = -1;
  s.login_roles.push_back({"reporting", -1, false});
  auto r = audit(load("verify-full"), s);
  const auto f = finding(r, "capacity.role_limit");
  CHECK(f.outcome.status == Status::warn);
  CHECK(f.outcome.fix == "ALTER ROLE \"app\" CONNECTION LIMIT 25;");  // pools 20 + headroom 5
  const auto others = finding(r, "capacity.login_roles");
  CHECK(others.outcome.status == Status::ok);  // listed for review; the WARN is for the config's role
  CHECK(contains(others.outcome.message, "reporting"));
  CHECK(contains(others.outcome.current, "reporting (no limit)"));
  CHECK(contains(others.outcome.current, "postgres (superuser)"));
  s.superuser = true;
  CHECK(contains(finding(audit(load("verify-full"), s), "capacity.role_limit").outcome.message,
                 "do not apply to superusers"));
}

TEST_CASE("new: logs that go nowhere durable, and statement logging") {
  auto s = sound();
  s.settings["logging_collector"].setting = "off";
  CHECK(status(audit(load("verify-full"), s), "logging.destination") == Status::warn);
  s.settings["log_destination"].setting = "csvlog";
  CHECK(status(audit(load("verify-full"), s), "logging.destination") == Status::fail);
  s.settings["log_destination"].setting = "syslog";
  CHECK(status(audit(load("verify-full"), s), "logging.destination") == Status::ok);
  s.settings["log_statement"].setting = "none";
  s.settings["log_min_duration_statement"].setting = "-1";
  s.settings["log_min_error_statement"].setting = "panic";
  auto r = audit(load("verify-full"), s);
  CHECK(status(r, "logging.statement") == Status::warn);
  CHECK(status(r, "logging.min_duration_statement") == Status::warn);
  CHECK(contains(finding(r, "logging.min_duration_statement").outcome.message, "slow queries are invisible"));
  CHECK(status(r, "logging.min_error_statement") == Status::warn);
}

TEST_CASE("new: privileges in the config's database") {
  auto s = sound();
  s.public_create_schemas = {"public"};
  s.createrole_roles = {"ops"};
  s.untrusted_languages = {"plpython3u"};
  s.untrusted_functions = 2;
  auto r = audit(load("verify-full"), s);
  CHECK(finding(r, "privileges.public_create").outcome.fix ==
        "in database appdb: REVOKE CREATE ON SCHEMA \"public\" FROM PUBLIC;");
  CHECK(status(r, "privileges.createrole") == Status::warn);
  CHECK(contains(finding(r, "privileges.createrole").outcome.message, "before PostgreSQL 16"));
  s.server_version_num = 160002;
  CHECK_FALSE(contains(finding(audit(load("verify-full"), s), "privileges.createrole").outcome.message,
                       "before PostgreSQL 16"));
  const auto lang = finding(r, "privileges.untrusted_languages");
  CHECK(lang.outcome.status == Status::warn);
  CHECK(contains(lang.outcome.message, "2 function(s)"));
}

TEST_CASE("statement_timeout: the value the application gets, not the audit's own") {
  auto s = sound();
  s.settings["statement_timeout"] = {"", "ms", "user", kHiddenSource};
  auto r = audit(load("verify-full"), s);
  CHECK(status(r, "timeouts.statement_timeout") == Status::skip);
  CHECK(contains(finding(r, "timeouts.statement_timeout").outcome.message,
                 "GRANT SELECT ON pg_catalog.pg_file_settings TO \"app\""));
  s.settings["statement_timeout"] = {"1ms", "ms", "user", "user"};  // ALTER ROLE app SET statement_timeout
  CHECK(status(audit(load("verify-full"), s), "timeouts.statement_timeout") == Status::ok);
  s.settings["statement_timeout"] = {"5s", "ms", "user", "configuration file"};
  r = audit(load("verify-full"), s);
  CHECK(status(r, "timeouts.statement_timeout") == Status::warn);
  CHECK(contains(finding(r, "timeouts.statement_timeout").outcome.fix, "SET statement_timeout = '5s';"));
  s.settings["statement_timeout"] = {"0", "ms", "user", "default"};
  CHECK(status(audit(load("verify-full"), s), "timeouts.statement_timeout") == Status::ok);
}

TEST_CASE("new: an encrypted TLS key needs ssl_passphrase_command") {
  auto s = sound();
  CHECK(status(audit(load("verify-full"), s), "tls.key_passphrase") == Status::skip);  // not readable
  s.key_encrypted = true;
  s.settings["ssl_passphrase_command"] = {"", "", "sighup", "default"};
  auto r = audit(load("verify-full"), s);
  CHECK(status(r, "tls.key_passphrase") == Status::warn);
  CHECK(contains(finding(r, "tls.key_passphrase").outcome.fix, "ssl_passphrase_command_supports_reload = on"));
  s.settings["ssl_passphrase_command"].setting = "/usr/local/bin/key-pass";
  CHECK(status(audit(load("verify-full"), s), "tls.key_passphrase") == Status::ok);
  s.key_encrypted = false;
  CHECK(status(audit(load("verify-full"), s), "tls.key_passphrase") == Status::ok);
}

TEST_CASE("reserved_connections (16+) counts against the usable slots") {
  auto s = sound();
  s.server_version_num = 160002;
  s.settings["max_connections"].setting = "30";
  s.settings["reserved_connections"] = {"10", "", "postmaster", "configuration file"};
  auto r = audit(load("verify-full"), s);  // pools 20 > 30 - 3 - 10 usable
  CHECK(status(r, "capacity.max_connections") == Status::fail);
  CHECK(contains(finding(r, "capacity.max_connections").outcome.current, "17 usable, 13 reserved"));
}

TEST_CASE("new: TLS ciphers, authentication_timeout, reserved slots, socket permissions, churn") {
  auto s = sound();
  s.settings["ssl_ciphers"].setting = "HIGH:MEDIUM:+3DES:!aNULL";  // PostgreSQL's default
  s.settings["authentication_timeout"].setting = "600";
  s.settings["superuser_reserved_connections"].setting = "30";
  s.settings["unix_socket_permissions"].setting = "0777";
  s.visible_sessions = 40;
  s.young_sessions = 30;
  auto r = audit(load("verify-full"), s);
  CHECK(status(r, "tls.ciphers") == Status::warn);
  CHECK(status(r, "auth.authentication_timeout") == Status::warn);
  CHECK(status(r, "capacity.superuser_reserved") == Status::warn);
  CHECK(status(r, "auth.unix_socket_permissions") == Status::warn);
  CHECK(status(r, "capacity.churn") == Status::warn);
  CHECK(contains(finding(r, "capacity.churn").outcome.message, "use a pooler"));
  s.settings["ssl_min_protocol_version"].setting = "TLSv1.3";
  s.settings["unix_socket_permissions"].setting = "0700";
  s.young_sessions = 3;
  r = audit(load("verify-full"), s);
  CHECK(status(r, "tls.ciphers") == Status::ok);  // TLS 1.3 suites all have forward secrecy
  CHECK(status(r, "auth.unix_socket_permissions") == Status::ok);
  CHECK(status(r, "capacity.churn") == Status::ok);
  CHECK(contains(finding(audit(load("verify-full"), sound()), "tls.min_protocol").outcome.message, "TLSv1.3"));
}

TEST_CASE("every WARN and FAIL says how to fix it") {
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
  s.settings["work_mem"].setting = "1048576";
  s.settings["log_hostname"].setting = "on";
  s.absent_settings["no_such_thing"] = ProbeResult::unknown;
  s.client_backends = 14;
  s.session_ssl = false;
  s.role_connlimit = 10;
  s.database_connlimit = 5;
  s.md5_roles = {"app"};
  s.password_is_name = {"app"};
  s.public_create_schemas = {"public"};
  s.createrole_roles = {"ops"};
  s.untrusted_languages = {"plperlu"};
  s.hba_rules = {rule(1, "host", "all", "all", "0.0.0.0", "0.0.0.0", "trust")};
  auto r = audit(load("require", "  no_such_thing: '1'\n"), s, k4GB);
  for (const auto& f : r.findings)
    if (f.outcome.status == Status::warn || f.outcome.status == Status::fail)
      CHECK_MESSAGE(!f.outcome.fix.empty(), std::string(f.rule + ": " + f.outcome.message));
}
