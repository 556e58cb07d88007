// The audit as a grouped table with a summary, then the live pg_hba.conf rules and their findings.
#include "pgserverconfig/report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/output.hpp"

namespace pgmonkey::app::pgserverconfig {
namespace {

// An empty last column would leave trailing blanks.
void row(const std::string& line) {
  auto end = line.find_last_not_of(' ');
  out(end == std::string::npos ? std::string() : line.substr(0, end + 1));
}

std::string clip(const std::string& s, std::size_t width) {
  if (s.size() <= width) return s;
  return s.substr(0, width - 3) + "...";
}

}  // namespace

void print_audit(const server::AuditReport& r, const std::string& fail_on) {
  const auto& s = r.snapshot;
  out(fmt::format("PostgreSQL {} as {}{} on database {}; pools {} per instance x {} = {}", s.server_version, s.user,
                  s.superuser ? " (superuser)" : "", s.database, r.budget.per_instance, r.budget.app_instances,
                  r.budget.app_total));
  std::size_t rule_w = 4, setting_w = 7;
  for (const auto& f : r.findings) {
    rule_w = std::max(rule_w, f.rule.size());
    setting_w = std::max(setting_w, std::min<std::size_t>(f.outcome.setting.size(), 36));
  }
  for (const auto& group : server::rule_groups()) {
    out("");
    out(group);
    out(fmt::format("  {:<{}}  {:<6}  {:<{}}  {:<34}  {:<24}  {}", "RULE", rule_w, "STATUS", "SETTING", setting_w,
                    "CURRENT", "RECOMMENDED", "WHY"));
    for (const auto& f : r.findings) {
      if (f.group != group) continue;
      const auto& o = f.outcome;
      // The status word is padded before colouring so escape codes do not skew the columns.
      std::string word = server::to_string(o.status);
      row(fmt::format("  {:<{}}  {}{}  {:<{}}  {:<34}  {:<24}  {}", f.rule, rule_w, status_word(word),
                      std::string(6 - word.size(), ' '), o.setting.empty() ? "-" : clip(o.setting, setting_w),
                      setting_w, clip(o.current, 34), clip(o.recommended, 24), o.message));
      // The fix in full, never clipped: it is meant to be copied.
      if (!o.fix.empty() && (o.status == server::Status::warn || o.status == server::Status::fail))
        out(fmt::format("  {:<{}}  fix: {}", "", rule_w, o.fix));
    }
  }
  out("");
  if (s.hba_access != server::Access::ok) {
    out("pg_hba.conf rules: not readable by " + s.user + "; " + s.hba_hint);
  } else {
    out(fmt::format("pg_hba.conf rules ({} as the server reads them):", s.hba_rules.size()));
    for (std::size_t i = 0; i < s.hba_rules.size(); ++i) {
      const auto& h = s.hba_rules[i];
      out(fmt::format("  {:<22} {}", h.label(), h.error.empty() || h.inert() ? h.to_line() : "(error) " + h.error));
      for (const auto& f : r.findings)
        if (f.outcome.hba_rule == i)
          out(fmt::format("  {:<22}   {} {}: {}", "", status_word(server::to_string(f.outcome.status)), f.rule,
                          f.outcome.message));
    }
  }
  out("");
  const int fails = r.count(server::Status::fail), warns = r.count(server::Status::warn);
  const bool failed =
      fail_on != "never" && r.has_findings(fail_on == "warn" ? server::Status::warn : server::Status::fail);
  out(fmt::format("summary: {} OK, {} WARN, {} FAIL, {} SKIP; {} (--fail-on {})", r.count(server::Status::ok), warns,
                  fails, r.count(server::Status::skip),
                  fail_on == "never" ? "report only"
                  : failed           ? "findings at or above the threshold"
                                     : "passed",
                  fail_on));
}

}  // namespace pgmonkey::app::pgserverconfig
