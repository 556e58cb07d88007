// The audit's driver: read-only session, snapshot, rule evaluation, and the JSON form.
#include "server/audit.hpp"

#include <pqxx/nontransaction>

#include <algorithm>
#include <set>

#include "core/error.hpp"
#include "db/connection.hpp"

namespace pgmonkey::server {
namespace {

// Startup options outrank ALTER ROLE/DATABASE ... SET, so a role's statement_timeout = '1ms' cannot
// break the audit, and no SET statement is needed (the session stays SELECT/SHOW only).
constexpr const char* kReadOnlyOption =
    "-c default_transaction_read_only=on -c statement_timeout=30s -c lock_timeout=5s";

// The audit started but could not finish: not findings. A broken session is exit 3; a query the
// server refused or cancelled (a lock, a role or database setting) is the configuration's (2).
[[noreturn]] void audit_incomplete(const JobError& e, const config::Config& config) {
  const auto& state = e.sqlstate();
  const std::string what = std::string("the audit could not finish: ") + e.what();
  if (state.empty() || state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0)
    throw ConnectError(ConnectFailure::unknown, what,
                       "the session broke before the audit finished; no findings were judged, run it again");
  const auto user = config_user(config).empty() ? std::string("the config's role") : "role " + config_user(config);
  throw ConfigError(what, e.detail(),
                    "no findings were judged; SQLSTATE " + state + ": a lock held on a catalog, or a setting of " +
                        user + " or its database (see pg_db_role_setting), stopped the audit's query");
}

std::vector<std::string> session_setting_names(const config::Config& c) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto* list : {&c.sync_settings, &c.async_settings})
    for (const auto& s : *list)
      if (seen.insert(s.key).second) names.push_back(s.key);
  return names;
}

}  // namespace

config::Config read_only_config(const config::Config& config) {
  config::Config c = config;
  for (auto& s : c.connection) {
    if (s.key != "options") continue;
    s.value = s.value.empty() ? kReadOnlyOption : s.value + " " + kReadOnlyOption;
    return c;
  }
  c.connection.push_back({"options", kReadOnlyOption, 0});
  return c;
}

AuditReport judge(const config::Config& config, Snapshot snapshot, const AuditOptions& options) {
  AuditReport r;
  r.snapshot = std::move(snapshot);
  r.budget = connection_budget(config, options.app_instances);
  AuditInput input{config, r.snapshot, r.budget, options.machine, options.client_cidr};
  r.findings = evaluate(input);
  return r;
}

AuditReport run_audit(const config::Config& config, const AuditOptions& options) {
  auto conn = db::connect(read_only_config(config), options.tool_name);
  std::string read_only;
  Snapshot snapshot;
  try {
    db::translate_errors([&] {
      pqxx::nontransaction tx(*conn, "read_only_check");
      read_only = tx.exec("SELECT pg_catalog.current_setting('default_transaction_read_only') AS ro")[0]["ro"].c_str();
    });
    if (read_only != "on")
      throw ConfigError("the audit session is not read-only (default_transaction_read_only = " + read_only + ")", {},
                        "something resets it for this role or database; the audit refuses to run");
    snapshot = read_snapshot(*conn, session_setting_names(config));
  } catch (const JobError& e) {
    audit_incomplete(e, config);
  }
  return judge(config, std::move(snapshot), options);
}

int AuditReport::count(Status s) const {
  return static_cast<int>(
      std::count_if(findings.begin(), findings.end(), [s](const AuditFinding& f) { return f.outcome.status == s; }));
}

bool AuditReport::has_findings(Status threshold) const {
  if (count(Status::fail) > 0) return true;
  return threshold == Status::warn && count(Status::warn) > 0;
}

core::Json AuditReport::to_json() const {
  auto j = core::Json::object();
  auto server = core::Json::object();
  server.set("version", snapshot.server_version).set("version_num", snapshot.server_version_num);
  server.set("user", snapshot.user).set("database", snapshot.database).set("superuser", snapshot.superuser);
  j.set("server", std::move(server));
  auto b = core::Json::object();
  b.set("pools_per_instance", budget.per_instance).set("app_instances", budget.app_instances);
  b.set("app_total", budget.app_total).set("recommended_max_connections", budget.max_connections);
  j.set("connection_budget", std::move(b));
  auto list = core::Json::array();
  for (const auto& f : findings) {
    auto o = core::Json::object();
    o.set("rule", f.rule).set("group", f.group).set("status", to_string(f.outcome.status));
    o.set("setting", f.outcome.setting.empty() ? core::Json() : core::Json(f.outcome.setting));
    o.set("current", f.outcome.current).set("recommended", f.outcome.recommended);
    o.set("fix", f.outcome.fix.empty() ? core::Json() : core::Json(f.outcome.fix));
    o.set("message", f.outcome.message);
    if (f.outcome.hba_rule) {
      const auto& h = snapshot.hba_rules[*f.outcome.hba_rule];
      o.set("hba_line", h.line_number);
    } else {
      o.set("hba_line", nullptr);
    }
    list.push(std::move(o));
  }
  j.set("findings", std::move(list));
  auto hba = core::Json::object();
  hba.set("readable", snapshot.hba_access == Access::ok);
  hba.set("hint", snapshot.hba_access == Access::ok ? core::Json() : core::Json(snapshot.hba_hint));
  auto rules = core::Json::array();
  for (const auto& h : snapshot.hba_rules) {
    auto o = core::Json::object();
    o.set("line_number", h.line_number);
    o.set("rule_number", h.rule_number ? core::Json(*h.rule_number) : core::Json());
    o.set("line", h.to_line()).set("error", h.error.empty() ? core::Json() : core::Json(h.error));
    rules.push(std::move(o));
  }
  hba.set("rules", std::move(rules));
  j.set("hba", std::move(hba));
  auto summary = core::Json::object();
  summary.set("ok", count(Status::ok)).set("warn", count(Status::warn));
  summary.set("fail", count(Status::fail)).set("skip", count(Status::skip));
  j.set("summary", std::move(summary));
  return j;
}

}  // namespace pgmonkey::server
