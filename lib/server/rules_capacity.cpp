// Capacity rules: connection slots, limits against a pool storm, churn.
#include <algorithm>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "server/rule_helpers.hpp"

namespace pgmonkey::server::checks {
namespace {

Outcomes check_max_connections(const AuditInput& in) {
  const auto& s = in.snapshot;
  const long long max = int_setting(s, "max_connections");
  const long long su = int_setting(s, "superuser_reserved_connections");
  const long long rc = int_setting(s, "reserved_connections");  // 16+; 0 before
  const long long usable = max - su - rc;
  const auto& b = in.budget;
  auto current = fmt::format("{} ({} usable, {} reserved)", max, usable, su + rc);
  auto recommended = fmt::format(">= {}", b.max_connections);
  const auto fix = alter_system(in, "max_connections", std::to_string(b.max_connections));
  if (b.app_total > usable)
    return one(Status::fail, current, recommended,
               fmt::format("the pools can open {} sessions ({} per instance x {}) but only {} slots are usable",
                           b.app_total, b.per_instance, b.app_instances, usable),
               fix);
  if (b.max_connections > max)
    return one(Status::warn, current, recommended,
               fmt::format("the pools fit, but without the headroom of {} for admin sessions and deploys", b.headroom),
               fix);
  return one(Status::ok, current, recommended,
             fmt::format("room for the pools' {} sessions plus {} headroom", b.app_total, b.headroom));
}

Outcomes check_superuser_reserved(const AuditInput& in) {
  if (!in.snapshot.setting("superuser_reserved_connections")) return missing(in, "superuser_reserved_connections", "3");
  const long long su = int_setting(in.snapshot, "superuser_reserved_connections");
  const long long max = int_setting(in.snapshot, "max_connections");
  const auto fix = alter_system(in, "superuser_reserved_connections", "3");
  if (su == 0)
    return one(Status::warn, "0", ">= 3", "with full pools nobody, not even a DBA, can connect to fix things", fix);
  if (max > 0 && su * 5 > max)
    return one(
        Status::warn, fmt::format("{} of max_connections {}", su, max), "3, at most 20% of max_connections",
        fmt::format("{}% of the slots are kept for superusers and idle while the application queues", su * 100 / max),
        fix);
  return one(Status::ok, std::to_string(su), ">= 3", "a DBA can still connect when the pools are full");
}

Outcomes check_usage(const AuditInput& in) {
  const long long max = std::max<long long>(1, int_setting(in.snapshot, "max_connections", 1));
  const long long used = in.snapshot.client_backends;
  const double pct = 100.0 * static_cast<double>(used) / static_cast<double>(max);
  auto current = fmt::format("{} of {} ({:.0f}%)", used, max, pct);
  const auto fix =
      "find idle sessions: SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3; "
      "then lower the pools or raise max_connections (capacity.max_connections)";
  if (pct >= 90) return one(Status::fail, current, "< 70%", "nearly every connection slot is taken now", fix);
  if (pct >= 70) return one(Status::warn, current, "< 70%", "connection slots are filling up", fix);
  return one(Status::ok, current, "< 70%", "client sessions in pg_stat_activity, this audit included");
}

Outcomes check_limit(long long limit, const std::string& what, const AuditInput& in) {
  const auto need = in.budget.app_total;
  if (limit < 0)
    return one(Status::ok, "-1 (no limit)", fmt::format(">= {} or -1", need), what + " has no connection limit");
  auto current = std::to_string(limit);
  if (limit < need)
    return one(Status::fail, current, fmt::format(">= {} or -1", need),
               fmt::format("{} allows {} sessions but the pools open up to {}", what, limit, need));
  return one(Status::ok, current, fmt::format(">= {} or -1", need), what + "'s limit covers the pools");
}

// A role limit of the pools' total plus headroom: a runaway pool (a "pool storm") then hits
// the role's limit, not max_connections, and everyone else can still connect.
Outcomes check_role_limit(const AuditInput& in) {
  const auto& s = in.snapshot;
  const auto& b = in.budget;
  const long long want = b.app_total + b.headroom;
  const auto fix = fmt::format("ALTER ROLE {} CONNECTION LIMIT {};", ident(s.user), want);
  const auto recommended = fmt::format("{} (pools {} + headroom {})", want, b.app_total, b.headroom);
  if (s.superuser)
    return one(Status::warn, fmt::format("{} (superuser)", s.role_connlimit), "a non-superuser role with a limit",
               "connection limits do not apply to superusers: a runaway pool can take every slot; "
               "give the application its own role");
  if (s.role_connlimit < 0)
    return one(Status::warn, "-1 (no limit)", recommended,
               "a runaway pool (a pool storm) can take every connection slot of the server", fix);
  if (s.role_connlimit < b.app_total)
    return one(
        Status::fail, std::to_string(s.role_connlimit), recommended,
        fmt::format("role {} allows {} sessions but the pools open up to {}", s.user, s.role_connlimit, b.app_total),
        fix);
  return one(Status::ok, std::to_string(s.role_connlimit), recommended,
             "covers the pools and stops a pool storm before max_connections");
}

Outcomes check_database_limit(const AuditInput& in) {
  auto out = check_limit(in.snapshot.database_connlimit, "database " + in.snapshot.database + " (datconnlimit)", in);
  if (out[0].status != Status::ok)
    out[0].fix = fmt::format("ALTER DATABASE {} CONNECTION LIMIT {};", ident(in.snapshot.database),
                             in.budget.app_total + in.budget.headroom);
  return out;
}

// The other login roles, each with its limit, for review.
Outcomes check_login_roles(const AuditInput& in) {
  const auto& s = in.snapshot;
  std::vector<std::string> unlimited, listed;
  for (const auto& r : s.login_roles) {
    if (r.name == s.user) continue;
    if (r.superuser) {
      listed.push_back(r.name + " (superuser)");
      continue;
    }
    listed.push_back(r.connlimit < 0 ? r.name + " (no limit)" : fmt::format("{} (limit {})", r.name, r.connlimit));
    if (r.connlimit < 0) unlimited.push_back(r.name);
  }
  auto current = listed.empty() ? std::string("(none)") : core::join(listed, ", ");
  if (unlimited.empty())
    return one(Status::ok, current, "", "every other non-superuser login role has a CONNECTION LIMIT");
  std::vector<std::string> fixes;
  for (const auto& u : unlimited) fixes.push_back("ALTER ROLE " + ident(u) + " CONNECTION LIMIT <n>;");
  // Listed for review, not a finding: the pool-storm risk judged above is the config's own role.
  return one(
      Status::ok, current, "a CONNECTION LIMIT each",
      "for review: without a limit, a runaway client of " + core::join(unlimited, ", ") + " can also take every slot",
      core::join(fixes, " "));
}

// Many sessions younger than a minute: the application connects per request or its pool
// retires connections too fast.
Outcomes check_churn(const AuditInput& in) {
  const auto& s = in.snapshot;
  const auto hidden = s.hidden_sessions > 0
                          ? fmt::format("; {} sessions of other roles hidden: GRANT pg_read_all_stats TO {}",
                                        s.hidden_sessions, ident(s.user))
                          : std::string();
  auto current = fmt::format("{} of {} sessions younger than 1 minute", s.young_sessions, s.visible_sessions);
  if (s.visible_sessions == 0 && s.hidden_sessions > 0)
    return one(Status::skip, "(hidden)", "", "other sessions are hidden" + hidden);
  if (s.visible_sessions < 5) return one(Status::ok, current, "", "too few other sessions to judge churn" + hidden);
  if (s.young_sessions * 2 >= s.visible_sessions)
    return one(Status::warn, current, "most sessions older than a minute",
               "connection churn: use a pooler, or raise the pool's max_idle so sessions are reused" + hidden);
  return one(Status::ok, current, "", "sessions are reused" + hidden);
}

}  // namespace

std::vector<Rule> capacity_rules() {
  return {
      {"capacity.max_connections", "Capacity", check_max_connections, "max_connections"},
      {"capacity.superuser_reserved", "Capacity", check_superuser_reserved, "superuser_reserved_connections"},
      {"capacity.usage", "Capacity", check_usage, ""},
      {"capacity.role_limit", "Capacity", check_role_limit, ""},
      {"capacity.database_limit", "Capacity", check_database_limit, ""},
      {"capacity.login_roles", "Capacity", check_login_roles, ""},
      {"capacity.churn", "Capacity", check_churn, ""},
  };
}

}  // namespace pgmonkey::server::checks
