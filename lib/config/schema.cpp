// The keys and value types of pgmonkey's config format, as data.
#include "config/schema.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <utility>

#include "config/interpolate.hpp"
#include "core/strings.hpp"

namespace pgmonkey::config {

const std::vector<std::string>& top_level_keys() {
  static const std::vector<std::string> keys{"connection_type", "connection_settings", "sync_settings",
                                             "async_settings",  "pool_settings",       "async_pool_settings"};
  return keys;
}

const std::vector<std::string>& sslmodes() {
  static const std::vector<std::string> modes{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
  return modes;
}

const std::vector<KeySpec>& connection_keys() {
  static const std::vector<KeySpec> specs{
      {"user", ValueKind::text, 0, -1, {}},
      {"password", ValueKind::text, 0, -1, {}},
      {"host", ValueKind::text, 0, -1, {}},
      {"port", ValueKind::port_list, 1, 65535, {}},
      {"dbname", ValueKind::text, 0, -1, {}},
      {"sslmode", ValueKind::choice, 0, -1, sslmodes()},
      {"sslcert", ValueKind::text, 0, -1, {}},
      {"sslkey", ValueKind::text, 0, -1, {}},
      {"sslrootcert", ValueKind::text, 0, -1, {}},
      {"connect_timeout", ValueKind::integer, 0, 2147483647, {}},
      {"application_name", ValueKind::text, 0, -1, {}},
      {"keepalives", ValueKind::integer, 0, 1, {}},
      {"keepalives_idle", ValueKind::integer, 0, 2147483647, {}},
      {"keepalives_interval", ValueKind::integer, 0, 2147483647, {}},
      {"keepalives_count", ValueKind::integer, 0, 2147483647, {}},
      {"autocommit", ValueKind::boolean, 0, -1, {}},
  };
  return specs;
}

const std::vector<KeySpec>& libpq_value_keys() {
  static const std::vector<std::string> tls_versions{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
  static const std::vector<std::string> modes{"disable", "prefer", "require"};
  static const std::vector<KeySpec> specs{
      {"target_session_attrs",
       ValueKind::choice,
       0,
       -1,
       {"any", "read-write", "read-only", "primary", "standby", "prefer-standby"}},
      {"channel_binding", ValueKind::choice, 0, -1, modes},
      {"gssencmode", ValueKind::choice, 0, -1, modes},
      {"ssl_min_protocol_version", ValueKind::choice_nocase, 0, -1, tls_versions},
      {"ssl_max_protocol_version", ValueKind::choice_nocase, 0, -1, tls_versions},
      {"sslcompression", ValueKind::integer, 0, 1, {}},
      {"sslsni", ValueKind::integer, 0, 1, {}},
      {"tcp_user_timeout", ValueKind::integer, 0, 2147483647, {}},
  };
  return specs;
}

std::string yaml11_reading(const std::string& s) {
  // PyYAML's implicit resolvers (YAML 1.1), for the forms whose value prints differently.
  static const std::regex boolean("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  static const std::vector<std::pair<std::regex, const char*>> numbers{
      {std::regex("[-+]?0[0-7_]+"), "an octal number"},
      {std::regex("[-+]?0x[0-9a-fA-F_]+"), "a hexadecimal number"},
      {std::regex("[-+]?0b[01_]+"), "a binary number"},
      {std::regex("[-+]?[0-9][0-9_]*_[0-9_]*"), "a number"},
      {std::regex("[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+"), "a base-60 number"},
      {std::regex("[-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+][0-9]+)?"), "a decimal number"},
  };
  if (std::regex_match(s, boolean)) return "a boolean";
  if (s.find_first_of("0123456789") == std::string::npos) return {};
  for (const auto& [pattern, what] : numbers)
    if (std::regex_match(s, pattern)) return what;
  return {};
}

const std::vector<KeySpec>& pool_keys() {
  static const std::vector<KeySpec> specs{
      {"min_size", ValueKind::integer, 0, 100000, {}},
      {"max_size", ValueKind::integer, 1, 100000, {}},
      {"timeout", ValueKind::number, 0, -1, {}},
      {"max_idle", ValueKind::number, 0, -1, {}},
      {"max_lifetime", ValueKind::number, 0, -1, {}},
      {"check_on_checkout", ValueKind::boolean, 0, -1, {}},
      {"max_waiting", ValueKind::integer, 0, 2147483647, {}},
      {"reconnect_timeout", ValueKind::number, 0, -1, {}},
      {"num_workers", ValueKind::integer, 0, 1024, {}},
  };
  return specs;
}

const KeySpec* find_spec(const std::vector<KeySpec>& specs, const std::string& name) {
  auto it = std::find_if(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

namespace {

std::string shown(const KeySpec& spec, const std::string& value) {
  return is_sensitive_key(spec.name) ? std::string("(value hidden)") : "'" + value + "'";
}

std::string range_text(const KeySpec& spec) {
  auto fmt = [](double d) {
    auto i = static_cast<long long>(d);
    return static_cast<double>(i) == d ? std::to_string(i) : std::to_string(d);
  };
  if (spec.max < spec.min) return "at least " + fmt(spec.min);
  return "between " + fmt(spec.min) + " and " + fmt(spec.max);
}

bool in_range(const KeySpec& spec, double v) {
  return v >= spec.min && (spec.max < spec.min || v <= spec.max);
}

}  // namespace

std::optional<std::string> check_value(const KeySpec& spec, const std::string& raw, std::string& problem) {
  const std::string value = core::trim(raw);
  switch (spec.kind) {
    case ValueKind::text:
      return raw;
    case ValueKind::integer: {
      if (auto b = core::parse_bool(value); b && !core::parse_int(value) && spec.max == 1) return *b ? "1" : "0";
      auto v = core::parse_int(value);
      if (!v) {
        problem = "must be a whole number, got " + shown(spec, value);
        return std::nullopt;
      }
      if (!in_range(spec, static_cast<double>(*v))) {
        problem = "must be " + range_text(spec) + ", got " + value;
        return std::nullopt;
      }
      return std::to_string(*v);
    }
    case ValueKind::number: {
      auto v = core::parse_number(value);
      if (!v) {
        problem = "must be a number, got " + shown(spec, value);
        return std::nullopt;
      }
      if (!in_range(spec, *v)) {
        problem = "must be " + range_text(spec) + ", got " + value;
        return std::nullopt;
      }
      return value;
    }
    case ValueKind::boolean: {
      auto b = core::parse_bool(value);
      if (!b) {
        problem = "must be true or false, got " + shown(spec, value);
        return std::nullopt;
      }
      return *b ? "true" : "false";
    }
    case ValueKind::port_list: {
      for (const auto& part : core::split(value, ',')) {
        auto p = core::trim(part);
        if (p.empty()) continue;  // libpq: an empty entry means the default port
        auto v = core::parse_int(p);
        if (!v || !in_range(spec, static_cast<double>(*v))) {
          problem = "must be a port number between 1 and 65535 (or a comma-separated list), got '" + value + "'";
          return std::nullopt;
        }
      }
      return value;
    }
    case ValueKind::choice_nocase:
      for (const auto& c : spec.choices)
        if (core::to_lower(c) == core::to_lower(value)) return c;
      [[fallthrough]];
    case ValueKind::choice: {
      if (std::find(spec.choices.begin(), spec.choices.end(), value) != spec.choices.end()) return value;
      problem = "must be one of " + core::join(spec.choices, ", ") + "; got " + shown(spec, value);
      return std::nullopt;
    }
  }
  return raw;
}

bool is_setting_name(const std::string& name) {
  if (name.empty()) return false;
  bool at_start = true;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '.') {
      if (at_start) return false;
      at_start = true;
      continue;
    }
    if (at_start && !(std::isalpha(u) || c == '_')) return false;
    if (!(std::isalnum(u) || c == '_' || c == '$')) return false;
    at_start = false;
  }
  return !at_start;
}

}  // namespace pgmonkey::config
