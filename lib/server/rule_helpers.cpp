// The helpers every audit rule file shares (see rule_helpers.hpp).
#include "server/rule_helpers.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"
#include "db/quote.hpp"

namespace pgmonkey::server::checks {
namespace {

// Settings newer than PostgreSQL 12 that the rules read, with the release that added them.
int introduced_in(const std::string& name) {
  if (name == "idle_session_timeout") return 140000;
  if (name == "reserved_connections") return 160000;
  return 0;
}

}  // namespace

Outcome make(Status s, std::string current, std::string recommended, std::string message, std::string fix) {
  Outcome o;
  o.status = s;
  o.current = std::move(current);
  o.recommended = std::move(recommended);
  o.message = std::move(message);
  o.fix = std::move(fix);
  return o;
}

Outcomes one(Status s, std::string current, std::string recommended, std::string message, std::string fix) {
  return {make(s, std::move(current), std::move(recommended), std::move(message), std::move(fix))};
}

std::string lit(const std::string& v) {
  return db::quote_literal(v);
}

std::string ident(const std::string& v) {
  return db::quote_ident(v);
}

std::string alter_system(const AuditInput& in, const std::string& name, const std::string& value) {
  const auto* row = in.snapshot.setting(name);
  const bool restart = row && row->context == "postmaster";
  return "ALTER SYSTEM SET " + name + " = " + value + ";" +
         (restart ? " -- then restart the server" : " SELECT pg_catalog.pg_reload_conf();");
}

std::string read_settings_grant(const AuditInput& in) {
  return "GRANT pg_read_all_settings TO " + ident(in.snapshot.user);
}

// A setting this role cannot see is SKIP, not FAIL: the check was not possible.
Outcomes missing(const AuditInput& in, const std::string& name, const std::string& recommended) {
  if (in.snapshot.server_version_num < introduced_in(name))
    return one(Status::skip, "(absent)", recommended,
               fmt::format("{} arrived in PostgreSQL {}", name, introduced_in(name) / 10000));
  if (!in.snapshot.superuser)
    return one(Status::skip, "(hidden)", recommended,
               name + " is hidden from role " + in.snapshot.user + ": " + read_settings_grant(in) +
                   " (or audit as a superuser)");
  return one(Status::skip, "(absent)", recommended,
             name + " does not exist on PostgreSQL " + in.snapshot.server_version);
}

Outcomes unreadable_size(const AuditInput& in, const std::string& name, const std::string& recommended) {
  const auto* row = in.snapshot.setting(name);
  if (!row) return missing(in, name, recommended);
  const std::string value = row->setting + (row->unit.empty() ? "" : " (unit " + row->unit + ")");
  return one(Status::skip, value, recommended,
             name + " = " + value + " is not a size pgserverconfig can judge (up to 1024TB); not judged");
}

long long int_setting(const Snapshot& s, const std::string& name, long long fallback) {
  const auto* row = s.setting(name);
  if (!row) return fallback;
  return core::parse_int(row->setting).value_or(fallback);
}

std::optional<std::uint64_t> kb_setting(const Snapshot& s, const std::string& name) {
  const auto* row = s.setting(name);
  if (!row) return std::nullopt;
  return setting_to_kb(row->setting, row->unit);
}

const config::Setting* config_setting(const config::Config& c, const std::string& name) {
  for (const auto* list : {&c.sync_settings, &c.async_settings})
    for (const auto& s : *list)
      if (s.key == name) return &s;
  return nullptr;
}

std::optional<Outcomes> hba_unreadable(const AuditInput& in) {
  if (in.snapshot.hba_access == Access::ok) return std::nullopt;
  return one(Status::skip, "(not readable)", "", "pg_hba_file_rules is not readable; " + in.snapshot.hba_hint);
}

Outcomes per_hba_rule(const AuditInput& in, const std::string& ok_message,
                      const std::function<std::optional<Outcome>(const HbaRule&)>& judge) {
  if (auto skip = hba_unreadable(in)) return *skip;
  Outcomes out;
  const auto& rules = in.snapshot.hba_rules;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].error.empty() && !rules[i].inert()) continue;
    if (auto o = judge(rules[i])) {
      o->hba_rule = i;
      if (o->current.empty()) o->current = rules[i].label() + ": " + rules[i].to_line();
      out.push_back(std::move(*o));
    }
  }
  if (out.empty()) out.push_back(make(Status::ok, fmt::format("{} rules", rules.size()), "", ok_message));
  return out;
}

bool over_unix_socket(const AuditInput& in) {
  return !in.snapshot.client_address.has_value();
}

bool ssl_off(const AuditInput& in) {
  const auto* ssl = in.snapshot.setting("ssl");
  return ssl && ssl->setting != "on";
}

}  // namespace pgmonkey::server::checks
