// Logging rules: what reaches the server log and whether it is kept.
#include <algorithm>

#include "core/strings.hpp"
#include "server/rule_helpers.hpp"

namespace pgmonkey::server::checks {
namespace {

Outcomes check_bool_on(const AuditInput& in, const std::string& name, const std::string& why) {
  const auto* row = in.snapshot.setting(name);
  if (!row) return missing(in, name, "on");
  if (row->setting == "on") return one(Status::ok, "on", "on", "");
  return one(Status::warn, row->setting, "on", why, alter_system(in, name, "on"));
}

// Where the server log goes: stderr without the collector is kept only if whatever started the
// server captures it; csvlog and jsonlog need the collector and are lost without it.
Outcomes check_log_destination(const AuditInput& in) {
  const auto* dest = in.snapshot.setting("log_destination");
  const auto* collector = in.snapshot.setting("logging_collector");
  if (!dest) return missing(in, "log_destination", "stderr with logging_collector = on");
  if (!collector) return missing(in, "logging_collector", "on");
  auto current = "log_destination = " + dest->setting + ", logging_collector = " + collector->setting;
  std::vector<std::string> kinds;
  for (const auto& k : core::split(dest->setting, ',')) kinds.push_back(core::to_lower(core::trim(k)));
  auto uses = [&](const char* k) { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); };
  const bool on = collector->setting == "on";
  const auto fix = alter_system(in, "logging_collector", "on");
  if (!on && (uses("csvlog") || uses("jsonlog")))
    return one(Status::fail, current, "logging_collector = on",
               "csvlog and jsonlog are written only by the logging collector, which is off: those logs go nowhere",
               fix);
  if (uses("syslog") || uses("eventlog") || on) return one(Status::ok, current, "", "logs go to files or syslog");
  return one(Status::warn, current, "logging_collector = on",
             "stderr without the collector is kept only if whatever started the server captures it (pg_ctl -l, "
             "systemd's journal); check it is kept and rotated",
             fix);
}

Outcomes check_log_statement(const AuditInput& in) {
  const auto* v = in.snapshot.setting("log_statement");
  if (!v) return missing(in, "log_statement", "ddl");
  const auto fix = alter_system(in, "log_statement", lit("ddl"));
  if (v->setting == "none")
    return one(Status::warn, "none", "ddl", "schema and role changes leave no trace in the log", fix);
  if (v->setting == "all")
    return one(Status::warn, "all", "ddl",
               "every statement is logged: a large volume, and literal values (personal data) land in the log", fix);
  return one(Status::ok, v->setting, "ddl",
             "note: CREATE/ALTER ROLE ... PASSWORD '...' is logged in clear; set passwords with psql's \\password");
}

Outcomes check_log_min_duration(const AuditInput& in) {
  const auto* v = in.snapshot.setting("log_min_duration_statement");
  if (!v) return missing(in, "log_min_duration_statement", "1000 (ms)");
  const auto ms = core::parse_int(v->setting).value_or(-1);
  const auto fix = alter_system(in, "log_min_duration_statement", lit("1s"));
  if (ms < 0) return one(Status::warn, "-1 (off)", "e.g. 1000 (ms)", "slow queries are invisible in the log", fix);
  if (ms == 0)
    return one(Status::warn, "0 (every statement)", "e.g. 1000 (ms)",
               "every statement is logged with its duration: a large volume", fix);
  return one(Status::ok, v->setting + " ms", "e.g. 1000 (ms)", "slower statements are logged");
}

Outcomes check_log_min_error(const AuditInput& in) {
  const auto* v = in.snapshot.setting("log_min_error_statement");
  if (!v) return missing(in, "log_min_error_statement", "error");
  if (v->setting == "log" || v->setting == "fatal" || v->setting == "panic")
    return one(Status::warn, v->setting, "error", "the statements behind errors are not logged",
               alter_system(in, "log_min_error_statement", "error"));
  return one(Status::ok, v->setting, "error", "the statement behind each error is logged");
}

Outcomes check_line_prefix(const AuditInput& in) {
  const auto* row = in.snapshot.setting("log_line_prefix");
  if (!row) return missing(in, "log_line_prefix", "%m [%p] %q%u@%d app=%a client=%h ");
  const auto& p = row->setting;
  auto has = [&p](const char* a, const char* b = nullptr) {
    return p.find(a) != std::string::npos || (b && p.find(b) != std::string::npos);
  };
  std::vector<std::string> lacking;
  if (!has("%m", "%t") && !has("%n")) lacking.push_back("time (%m)");
  if (!has("%p", "%c")) lacking.push_back("pid (%p)");
  if (!has("%u")) lacking.push_back("user (%u)");
  if (!has("%d")) lacking.push_back("database (%d)");
  if (!has("%a")) lacking.push_back("application (%a)");
  if (!has("%h", "%r")) lacking.push_back("host (%h)");
  auto current = "'" + p + "'";
  if (lacking.empty()) return one(Status::ok, current, "", "");
  return one(Status::warn, current, "'%m [%p] %q%u@%d app=%a client=%h '", "lacks " + core::join(lacking, ", "),
             alter_system(in, "log_line_prefix", lit("%m [%p] %q%u@%d app=%a client=%h ")));
}

Outcomes check_log_hostname(const AuditInput& in) {
  const auto* row = in.snapshot.setting("log_hostname");
  if (!row) return missing(in, "log_hostname", "off");
  if (row->setting == "off") return one(Status::ok, "off", "off", "");
  return one(Status::warn, row->setting, "off", "a reverse DNS lookup on every connection slows connecting",
             alter_system(in, "log_hostname", "off"));
}

}  // namespace

std::vector<Rule> logging_rules() {
  return {
      {"logging.connections", "Logging",
       [](const AuditInput& in) {
         return check_bool_on(in, "log_connections", "connections are not logged: no trail of who came in");
       },
       "log_connections"},
      {"logging.disconnections", "Logging",
       [](const AuditInput& in) {
         return check_bool_on(in, "log_disconnections", "session ends are not logged: pool churn is invisible");
       },
       "log_disconnections"},
      {"logging.destination", "Logging", check_log_destination, "logging_collector"},
      {"logging.statement", "Logging", check_log_statement, "log_statement"},
      {"logging.min_duration_statement", "Logging", check_log_min_duration, "log_min_duration_statement"},
      {"logging.min_error_statement", "Logging", check_log_min_error, "log_min_error_statement"},
      {"logging.line_prefix", "Logging", check_line_prefix, "log_line_prefix"},
      {"logging.hostname", "Logging", check_log_hostname, "log_hostname"},
  };
}

}  // namespace pgmonkey::server::checks
