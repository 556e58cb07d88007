// Recommended postgresql.conf and pg_hba.conf entries derived from a config, without a server.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "core/json.hpp"
#include "server/budget.hpp"
#include "server/hba.hpp"
#include "server/sizing.hpp"

namespace pgmonkey::server {

struct HintOptions {
  long long app_instances = 1;
  std::optional<Network> client_cidr;  // --client-cidr; nullopt: a placeholder is written
  std::optional<Machine> machine;      // --ram/--cpus/--workload; nullopt: no memory advice
};

// One line to paste, with the comment that explains it.
struct HintLine {
  std::string name;   // setting name (empty for pg_hba.conf lines)
  std::string value;  // setting value as postgresql.conf wants it, or the whole pg_hba.conf line
  std::string comment;
};

// A session setting from the config, judged against what PostgreSQL lets a user SET.
struct SessionAdvice {
  std::string name;
  std::string value;
  std::string status;  // "ok", "unknown" (not a user setting we know), "advice" (suggested addition)
  std::string comment;
};

struct Hints {
  ConnectionBudget budget;
  std::vector<HintLine> conf;  // postgresql.conf
  std::vector<HintLine> hba;   // pg_hba.conf
  std::vector<SessionAdvice> session;
  std::optional<SizingTargets> sizing;
  std::vector<std::string> notes;
};

Hints make_hints(const config::Config& config, const HintOptions& options);

// Commented snippets, ready to paste.
std::string hints_to_text(const Hints& hints, const std::string& config_path);
core::Json hints_to_json(const Hints& hints, const std::string& config_path);

// Session settings a normal user may SET (context "user" in pg_settings) on PostgreSQL 12-17.
bool is_known_user_setting(const std::string& name);

// pg_hba.conf's way of writing a database or user name: bare when plain, else double-quoted.
std::string hba_name(const std::string& name);

// The placeholder written in the ADDRESS column when --client-cidr is not given.
inline constexpr const char* kClientCidrPlaceholder = "<client-cidr>";

}  // namespace pgmonkey::server
