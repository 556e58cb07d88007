// Opt-in interpolation of config values: ${VAR}, ${VAR:-default}, {from_env: VAR}, {from_file: PATH}.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pgmonkey::config {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup process_env();
// A fixed set of variables (for tests, and for resolving against a captured environment).
EnvLookup fixed_env(std::map<std::string, std::string> vars);

// Keys whose values are secrets or point at key material; defaults are refused for them.
bool is_sensitive_key(const std::string& key);

// Why a value could not be interpolated; the message never holds the value itself.
class InterpolationError : public std::runtime_error {
 public:
  InterpolationError(std::string message, std::string hint)
      : std::runtime_error(std::move(message)), hint_(std::move(hint)) {}
  const std::string& hint() const noexcept { return hint_; }

 private:
  std::string hint_;
};

// True when the text holds a ${...} reference.
bool has_env_reference(std::string_view text);

// Replaces ${VAR} and ${VAR:-default} in `text`. `key` is the config key the text belongs to.
std::string expand_env_refs(std::string_view text, const std::string& key, bool allow_sensitive_defaults,
                            const EnvLookup& env);

// {from_env: VAR}: the variable's value; missing is an error.
std::string value_from_env(const std::string& var, const EnvLookup& env);

// {from_file: PATH}: the file's content with one trailing newline (LF or CRLF) trimmed.
std::string value_from_file(const std::string& path);

}  // namespace pgmonkey::config
