// The connection config as plain data: small accessors and names.
#include "config/model.hpp"

namespace pgmonkey::config {

const std::vector<std::string>& connection_type_names() {
  static const std::vector<std::string> names{"normal", "pool", "async", "async_pool"};
  return names;
}

const char* to_string(ConnectionType t) {
  switch (t) {
    case ConnectionType::normal:
      return "normal";
    case ConnectionType::pool:
      return "pool";
    case ConnectionType::async:
      return "async";
    case ConnectionType::async_pool:
      return "async_pool";
  }
  return "normal";
}

std::optional<ConnectionType> parse_connection_type(const std::string& s) {
  if (s == "normal") return ConnectionType::normal;
  if (s == "pool") return ConnectionType::pool;
  if (s == "async") return ConnectionType::async;
  if (s == "async_pool") return ConnectionType::async_pool;
  return std::nullopt;
}

std::optional<std::string> Config::get(const std::string& key) const {
  for (const auto& s : connection)
    if (s.key == key) return s.value;
  return std::nullopt;
}

const std::vector<Setting>& Config::session_settings(ConnectionType t) const {
  return (t == ConnectionType::async || t == ConnectionType::async_pool) ? async_settings : sync_settings;
}

const PoolSettings& Config::pool_settings(ConnectionType t) const {
  return t == ConnectionType::async_pool ? async_pool : pool;
}

std::string Finding::to_string(bool with_severity) const {
  std::string out = file.empty() ? std::string("config") : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  if (with_severity)
    out += severity == Severity::error ? ": error: " : ": warning: ";
  else
    out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

}  // namespace pgmonkey::config
