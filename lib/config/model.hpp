// The connection config, pgmonkey's YAML format, as plain data.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgmonkey::config {

enum class ConnectionType { normal, pool, async, async_pool };

const char* to_string(ConnectionType t);
std::optional<ConnectionType> parse_connection_type(const std::string& s);
const std::vector<std::string>& connection_type_names();

// One key/value pair as written in the file, with where it was written.
struct Setting {
  std::string key;
  std::string value;
  int line = 0;  // 1-based; 0 when not from a file
};

struct PoolSettings {
  bool present = false;
  long long min_size = 1;
  long long max_size = 10;
  double timeout = 30.0;  // seconds to wait for a free connection
  std::optional<double> max_idle;
  std::optional<double> max_lifetime;
  bool check_on_checkout = false;
  std::optional<long long> max_waiting;
  std::optional<double> reconnect_timeout;
  std::optional<long long> num_workers;
};

struct Config {
  std::string path;  // file it came from
  ConnectionType type = ConnectionType::normal;
  std::vector<Setting> connection;  // libpq keywords, empties dropped; autocommit kept apart
  std::optional<bool> autocommit;
  std::vector<Setting> sync_settings;   // SET after connect, for normal and pool
  std::vector<Setting> async_settings;  // SET after connect, for async and async_pool
  PoolSettings pool;
  PoolSettings async_pool;

  // The value of a connection keyword, or nullopt when left to libpq's defaults.
  std::optional<std::string> get(const std::string& key) const;
  bool has_password() const { return get("password").has_value(); }
  // The session settings that apply to a connection type.
  const std::vector<Setting>& session_settings(ConnectionType t) const;
  const PoolSettings& pool_settings(ConnectionType t) const;
};

enum class Severity { warning, error };

// A validation result users can act on: where, what, and what to do.
struct Finding {
  Severity severity = Severity::error;
  std::string file;
  int line = 0;     // 1-based, 0 when unknown
  int column = 0;   // 1-based, 0 when unknown
  std::string key;  // dotted path, e.g. connection_settings.port
  std::string message;
  std::string hint;

  // "file:line:col: error: message (hint)" — never contains a secret value. Without the
  // severity word when the caller's own prefix already says it.
  std::string to_string(bool with_severity = true) const;
};

}  // namespace pgmonkey::config
