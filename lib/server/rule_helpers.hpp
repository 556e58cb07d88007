// What every audit rule file shares: building outcomes, quoting fixes, reading the snapshot,
// and each group's part of the rule table (rules.cpp joins them in report order).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/rules.hpp"

namespace pgmonkey::server::checks {

using Outcomes = std::vector<Outcome>;

Outcome make(Status s, std::string current, std::string recommended, std::string message, std::string fix = {});
Outcomes one(Status s, std::string current, std::string recommended, std::string message, std::string fix = {});

// A SQL literal / identifier for a fix the user pastes.
std::string lit(const std::string& v);
std::string ident(const std::string& v);
// The statement that fixes a setting, and what makes it take effect (reload or restart).
std::string alter_system(const AuditInput& in, const std::string& name, const std::string& value);
std::string read_settings_grant(const AuditInput& in);

// A setting the snapshot lacks: SKIP with why (too old a server, hidden from the role, absent).
Outcomes missing(const AuditInput& in, const std::string& name, const std::string& recommended);
// A memory setting kb_setting() could not give: missing() when the snapshot lacks it, else SKIP
// saying its value is not a size this tool reads (beyond 1024TB, or a unit it does not know).
Outcomes unreadable_size(const AuditInput& in, const std::string& name, const std::string& recommended);

long long int_setting(const Snapshot& s, const std::string& name, long long fallback = 0);
std::optional<std::uint64_t> kb_setting(const Snapshot& s, const std::string& name);
const config::Setting* config_setting(const config::Config& c, const std::string& name);

// HBA checks need pg_hba_file_rules; without it they all SKIP with the grant that fixes it.
std::optional<Outcomes> hba_unreadable(const AuditInput& in);
// One finding per HBA rule `judge` flags, or one OK when none is.
Outcomes per_hba_rule(const AuditInput& in, const std::string& ok_message,
                      const std::function<std::optional<Outcome>(const HbaRule&)>& judge);

// The audit reached the server over a Unix socket (no client address), where TLS never applies.
bool over_unix_socket(const AuditInput& in);
bool ssl_off(const AuditInput& in);

// Each group's rules, in report order within the group.
std::vector<Rule> capacity_rules();
std::vector<Rule> tls_rules();
std::vector<Rule> authentication_rules();
std::vector<Rule> privileges_rules();
std::vector<Rule> timeouts_rules();
std::vector<Rule> logging_rules();
std::vector<Rule> memory_rules();

}  // namespace pgmonkey::server::checks
