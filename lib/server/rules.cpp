// The audit's rule set: the groups' tables joined in report order, and how a rule is evaluated.
#include "server/rules.hpp"

#include "server/rule_helpers.hpp"

namespace pgmonkey::server {

const char* to_string(Status s) {
  switch (s) {
    case Status::ok:
      return "OK";
    case Status::warn:
      return "WARN";
    case Status::fail:
      return "FAIL";
    case Status::skip:
      return "SKIP";
  }
  return "SKIP";
}

HbaClient audit_client(const AuditInput& in) {
  HbaClient c;
  c.user = in.snapshot.user;
  c.database = in.snapshot.database;
  c.member_of = in.snapshot.member_of;
  c.regex_entries = hba_regex_entries(in.snapshot.server_version_num);
  c.address = in.client_cidr ? in.client_cidr : in.snapshot.client_address;
  const auto mode = sslmode_of(in.config);
  const auto* ssl = in.snapshot.setting("ssl");
  // allow/prefer get TLS whenever the server offers it.
  c.ssl = mode != "disable" && ((ssl && ssl->setting == "on") || sslmode_rank(in.config) >= kSslRequire);
  return c;
}

const std::vector<std::string>& rule_groups() {
  static const std::vector<std::string> groups{"Capacity", "TLS",     "Authentication", "Privileges",
                                               "Timeouts", "Logging", "Memory"};
  return groups;
}

const std::vector<Rule>& audit_rules() {
  // Groups in rule_groups() order; each group file holds its own table.
  static const std::vector<Rule> rules = [] {
    std::vector<Rule> all;
    for (auto part : {checks::capacity_rules, checks::tls_rules, checks::authentication_rules, checks::privileges_rules,
                      checks::timeouts_rules, checks::logging_rules, checks::memory_rules})
      for (auto& r : part()) all.push_back(std::move(r));
    return all;
  }();
  return rules;
}

std::vector<AuditFinding> evaluate(const AuditInput& input) {
  std::vector<AuditFinding> out;
  for (const auto& rule : audit_rules())
    for (auto& o : rule.check(input)) {
      if (o.setting.empty()) o.setting = rule.setting;
      out.push_back({rule.id, rule.group, std::move(o)});
    }
  return out;
}

}  // namespace pgmonkey::server
