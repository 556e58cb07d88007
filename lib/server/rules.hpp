// The audit's rules as data: each an id, a group and a check over a server snapshot.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "server/budget.hpp"
#include "server/hba.hpp"
#include "server/sizing.hpp"
#include "server/snapshot.hpp"

namespace pgmonkey::server {

enum class Status { ok, warn, fail, skip };
const char* to_string(Status s);  // "OK", "WARN", "FAIL", "SKIP"

// What one check found.
struct Outcome {
  Status status = Status::ok;
  std::string current;
  std::string recommended;
  std::string message;                  // one line: why
  std::optional<std::size_t> hba_rule;  // index into Snapshot::hba_rules when about one rule
  std::string setting;                  // the GUC judged ("log_connections"); empty: the rule's own
  std::string fix;                      // what to run or paste: ALTER SYSTEM SET ...; a pg_hba.conf line
};

// An outcome with the rule that produced it.
struct AuditFinding {
  std::string rule;   // e.g. "hba.method"
  std::string group;  // e.g. "Authentication"
  Outcome outcome;
};

// Everything a check may look at.
struct AuditInput {
  const config::Config& config;
  const Snapshot& snapshot;
  ConnectionBudget budget;
  std::optional<Machine> machine;      // --ram/--cpus/--workload
  std::optional<Network> client_cidr;  // --client-cidr: where the application connects from
};

using Check = std::function<std::vector<Outcome>(const AuditInput&)>;

struct Rule {
  std::string id;
  std::string group;
  Check check;
  std::string setting;  // the GUC the rule judges, if one; outcomes without their own inherit it
};

// Groups in the order they are reported.
const std::vector<std::string>& rule_groups();
const std::vector<Rule>& audit_rules();

// Runs every rule; each yields at least one finding.
std::vector<AuditFinding> evaluate(const AuditInput& input);

// The first-match walk for the config's user, database and client address (exposed for tests).
HbaClient audit_client(const AuditInput& input);

}  // namespace pgmonkey::server
