// What pgmonkey's config format allows: the keys of each section and the type of each value.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgmonkey::config {

enum class ValueKind {
  text,           // any single value
  integer,        // whole number within [min, max]
  number,         // decimal within [min, max]
  boolean,        // true/false (also yes/no, on/off, 1/0)
  port_list,      // one port or a comma-separated list for multi-host strings, each 1..65535
  choice,         // one of `choices`
  choice_nocase,  // one of `choices`, compared ignoring case (libpq's TLS versions)
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
// Other libpq keywords whose values libpq checks when it connects (libpq 15's value sets), so that
// `validate` finds what `test` would fail on. Keywords not listed here are taken as text.
const std::vector<KeySpec>& libpq_value_keys();
const std::vector<KeySpec>& pool_keys();
const KeySpec* find_spec(const std::vector<KeySpec>& specs, const std::string& name);

// Checks `value` against `spec`; on success returns the value normalised for libpq
// (booleans as 1/0), otherwise sets `problem` to a message that does not echo the value
// when the key is sensitive.
std::optional<std::string> check_value(const KeySpec& spec, const std::string& value, std::string& problem);

// What a YAML 1.1 parser (PyYAML, so pgmonkey itself and generated Python) makes of an unquoted
// scalar when that is not the text as written: "an octal number" for 012345, "a boolean" for
// yes/off, ... Empty when it reads as the same text. yaml-cpp keeps the text, so the two differ.
std::string yaml11_reading(const std::string& plain);

// A session setting name as PostgreSQL accepts it: identifier, optionally dotted (custom GUCs).
bool is_setting_name(const std::string& name);

}  // namespace pgmonkey::config
