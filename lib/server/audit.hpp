// `pgserverconfig --audit`: a read-only session, a snapshot, the rules, and the verdict.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "core/json.hpp"
#include "server/rules.hpp"

namespace pgmonkey::server {

struct AuditOptions {
  long long app_instances = 1;
  std::optional<Network> client_cidr;
  std::optional<Machine> machine;
  std::string tool_name = "pgserverconfig";
};

struct AuditReport {
  Snapshot snapshot;
  ConnectionBudget budget;
  std::vector<AuditFinding> findings;

  int count(Status s) const;
  // Findings at or above `threshold` (warn: WARN and FAIL; fail: FAIL only).
  bool has_findings(Status threshold) const;
  core::Json to_json() const;
};

// The config with `-c default_transaction_read_only=on` added to libpq's `options`, so every
// statement of the session is read-only before the first query runs.
config::Config read_only_config(const config::Config& config);

// Connects (ConnectError → exit 3), checks the session is read-only, reads and judges.
AuditReport run_audit(const config::Config& config, const AuditOptions& options);

// Judges a snapshot without a server (what run_audit does after reading).
AuditReport judge(const config::Config& config, Snapshot snapshot, const AuditOptions& options);

}  // namespace pgmonkey::server
