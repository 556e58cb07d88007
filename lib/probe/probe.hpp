// `pgconfig test`: a real SELECT 1 for each connection type, with what it learned on the way.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "core/json.hpp"

namespace pgmonkey::probe {

struct ProbeOptions {
  config::ConnectionType type = config::ConnectionType::normal;
  double wait_seconds = 0;  // --wait: keep retrying transient connect failures this long
  std::string tool_name = "pgconfig";
  // Told about each retry (attempt number, error text, seconds until the next try).
  std::function<void(int, const std::string&, double)> on_retry;
};

// One session setting: what the config asked for, what SET made of it, what SHOW reads back.
struct SettingCheck {
  std::string name;
  std::string requested;
  std::string applied;
  std::string shown;
  bool ok() const { return applied == shown; }
};

// Whether the pool's max_size fits what the server has left.
struct Capacity {
  long long max_connections = 0;
  long long reserved = 0;  // superuser_reserved_connections (+ reserved_connections on 16+)
  long long in_use_by_others = 0;
  long long server_available = 0;  // max - reserved - others
  long long role_limit = -1;       // rolconnlimit (-1: none, or a superuser)
  long long role_available = -1;   // role_limit - the role's other sessions
  long long database_limit = -1;   // datconnlimit
  long long database_available = -1;
  long long available = 0;            // for this pool: the smallest of the three
  std::string limited_by = "server";  // "server", "role" or "database": which one is the smallest
  long long pool_max_size = 0;
  bool fits() const { return pool_max_size <= available; }
};

struct ProbeResult {
  config::ConnectionType type = config::ConnectionType::normal;
  int connections_wanted = 0;
  int connections_held = 0;  // opened and held at the same time
  std::string server_version;
  int server_version_num = 0;
  double connect_ms = 0;  // the slowest connection
  double query_ms = 0;    // the slowest SELECT 1
  bool tls = false;
  std::string tls_protocol;
  std::string tls_cipher;
  std::string user;
  std::string database;
  bool check_on_checkout = false;
  std::vector<SettingCheck> settings;
  std::optional<Capacity> capacity;
  std::vector<std::string> problems;  // any problem means the check failed (exit 1)
  std::vector<std::string> warnings;

  bool ok() const { return problems.empty(); }
  core::Json to_json() const;
};

// Connects as `options.type` says and runs the checks. Throws ConnectError when no connection
// could be made (after --wait, if given); other failures land in `problems`.
ProbeResult run_probe(const config::Config& config, const ProbeOptions& options);

}  // namespace pgmonkey::probe
