// What pgmonkey's config format allows: the keys of each section and the type of each value.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgmonkey::config {

enum class ValueKind {
  text,       // any single value
  integer,    // whole number within [min, max]
  number,     // decimal within [min, max]
  boolean,    // true/false (also yes/no, on/off, 1/0)
  port_list,  // one port or a comma-separated list for multi-host strings, each 1..65535
  choice,     // one of `choices`
};

struct KeySpec {
  std::string name;
  ValueKind kind = ValueKind::text;
  double min = 0;
  double max = 0;  // max < min means unbounded
  std::vector<std::string> choices;
};

const std::vector<std::string>& top_level_keys();
const std::vector<std::string>& sslmodes();
// The keys pgmonkey documents in connection_settings (others are accepted when libpq knows them).
const std::vector<KeySpec>& connection_keys();
const std::vector<KeySpec>& pool_keys();
const KeySpec* find_spec(const std::vector<KeySpec>& specs, const std::string& name);

// Checks `value` against `spec`; on success returns the value normalised for libpq
// (booleans as 1/0), otherwise sets `problem` to a message that does not echo the value
// when the key is sensitive.
std::optional<std::string> check_value(const KeySpec& spec, const std::string& value, std::string& problem);

// A session setting name as PostgreSQL accepts it: identifier, optionally dotted (custom GUCs).
bool is_setting_name(const std::string& name);

}  // namespace pgmonkey::config
