// Timeouts rules: the config's session settings and the server's timeouts.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "server/rule_helpers.hpp"

namespace pgmonkey::server::checks {
namespace {

Outcomes check_session_settings(const AuditInput& in) {
  const auto& s = in.snapshot;
  Outcomes out;
  std::set<std::string> seen;
  for (const auto* list : {&in.config.sync_settings, &in.config.async_settings}) {
    for (const auto& cs : *list) {
      if (!seen.insert(cs.key).second) continue;
      auto current = cs.key + " = " + cs.value;
      const auto* row = s.setting(cs.key);
      if (!row) {
        auto it = s.absent_settings.find(cs.key);
        if (it != s.absent_settings.end() && it->second == ProbeResult::hidden)
          out.push_back(
              make(Status::skip, current, "",
                   cs.key + " is not visible to role " + s.user + ": " + read_settings_grant(in) + " to check it"));
        else if (cs.key.find('.') != std::string::npos)
          out.push_back(make(Status::ok, current, "", "a custom setting: any session may SET it"));
        else
          out.push_back(make(Status::fail, current, "", cs.key + " is not a setting on this server: SET fails",
                             "remove " + cs.key + " from the config's sync_settings/async_settings (or fix its name)"));
      } else if (row->context == "user" || (row->context == "superuser" && s.superuser)) {
        out.push_back(make(Status::ok, current, "", "exists and may be SET by role " + s.user));
      } else {
        out.push_back(make(Status::fail, current, "",
                           fmt::format("{} cannot be SET by role {} (context {})", cs.key, s.user, row->context),
                           "remove " + cs.key + " from the config's session settings and set it on the server"));
      }
      out.back().setting = cs.key;
    }
  }
  if (out.empty()) out.push_back(make(Status::ok, "(none)", "", "the config sets no session settings"));
  return out;
}

Outcomes check_idle_in_transaction(const AuditInput& in) {
  const auto* row = in.snapshot.setting("idle_in_transaction_session_timeout");
  if (!row) return missing(in, "idle_in_transaction_session_timeout", "60000");
  if (const auto* cs = config_setting(in.config, "idle_in_transaction_session_timeout"))
    return one(Status::ok, row->setting + " (server), " + cs->value + " (config)", "",
               "the config sets it per session");
  if (row->setting == "0")
    return one(Status::warn, "0", "e.g. 60000 (ms)",
               "disabled and not set by the config: an abandoned transaction holds locks and blocks vacuum",
               "idle_in_transaction_session_timeout: '60s' in the config's sync_settings/async_settings, or " +
                   alter_system(in, "idle_in_transaction_session_timeout", lit("60s")));
  return one(Status::ok, row->setting, "", "");
}

Outcomes check_idle_session(const AuditInput& in) {
  const auto* row = in.snapshot.setting("idle_session_timeout");  // 14+
  if (!row) return missing(in, "idle_session_timeout", "0 or above the pools' max_idle");
  std::string value = row->setting;
  std::string where = "server";
  if (const auto* cs = config_setting(in.config, "idle_session_timeout")) {
    value = cs->value;
    where = "config";
  }
  const auto ms = core::parse_int(value);
  std::optional<double> max_idle;
  for (const auto* p : {&in.config.pool, &in.config.async_pool})
    if (p->present && p->max_idle) max_idle = std::max(max_idle.value_or(0), *p->max_idle);
  auto current = fmt::format("{} ms ({})", value, where);
  if (!ms || *ms == 0) return one(Status::ok, current, "", "idle sessions are not cut by the server");
  if (!max_idle) return one(Status::ok, current, "", "no pool max_idle to compare with");
  auto recommended = fmt::format("0 or > {:.0f} ms (pool max_idle)", *max_idle * 1000);
  if (static_cast<double>(*ms) < *max_idle * 1000)
    return one(Status::warn, current, recommended,
               "the server closes idle pooled sessions before the pool retires them: checkout errors",
               where == "config" ? "raise idle_session_timeout in the config's session settings"
                                 : alter_system(in, "idle_session_timeout", "0"));
  return one(Status::ok, current, recommended, "longer than the pools' max_idle");
}

// A duration as stored: pg_settings gives milliseconds, pg_db_role_setting and the files keep the
// text as written ("30s").
bool zero_duration(const std::string& v) {
  const auto end = v.find_first_not_of("0123456789");
  const auto digits = v.substr(0, end);
  return !digits.empty() && digits.find_first_not_of('0') == std::string::npos &&
         (end == std::string::npos || v[end] != '.');
}

std::string with_unit(const std::string& v) {
  return core::parse_int(v) ? v + "ms" : v;
}

// The audit's own session runs with statement_timeout = 30s from its startup options; the
// snapshot holds the value the application's sessions get (role, database, file or default).
Outcomes check_statement_timeout(const AuditInput& in) {
  const auto* row = in.snapshot.setting("statement_timeout");
  if (!row) return missing(in, "statement_timeout", "0 server-wide");
  if (row->source == kHiddenSource)
    return one(Status::skip, "(not readable)", "0 server-wide",
               "the server-wide value is only in pg_file_settings, which role " + in.snapshot.user +
                   " may not read: " + file_settings_grant(in.snapshot.user) + " (or audit as a superuser)");
  if (zero_duration(row->setting))
    return one(Status::ok, "0 (" + row->source + ")", "0 server-wide", "set per session or per role instead");
  static const std::set<std::string> server_wide{"configuration file", "command line", "environment variable",
                                                 "global"};
  auto current = with_unit(row->setting) + " (" + row->source + ")";
  if (server_wide.count(row->source))
    return one(
        Status::warn, current, "0 server-wide",
        "a server-wide statement_timeout also cuts pg_dump, migrations and maintenance; set it per role or session",
        (row->source == "global" ? "ALTER ROLE ALL RESET statement_timeout;"
                                 : "ALTER SYSTEM RESET statement_timeout; SELECT pg_catalog.pg_reload_conf();") +
            std::string(" ALTER ROLE ") + ident(in.snapshot.user) +
            " SET statement_timeout = " + lit(with_unit(row->setting)) + ";");
  return one(Status::ok, current, "", "set for the role or database, not server-wide");
}

}  // namespace

std::vector<Rule> timeouts_rules() {
  return {
      {"timeouts.session_settings", "Timeouts", check_session_settings, ""},
      {"timeouts.idle_in_transaction", "Timeouts", check_idle_in_transaction, "idle_in_transaction_session_timeout"},
      {"timeouts.idle_session", "Timeouts", check_idle_session, "idle_session_timeout"},
      {"timeouts.statement_timeout", "Timeouts", check_statement_timeout, "statement_timeout"},
  };
}

}  // namespace pgmonkey::server::checks
