// `pgconfig create`: the commented config template, rendered and written safely.
#pragma once

#include <string>

#include "config/interpolate.hpp"

namespace pgmonkey::config {

// The template text with connection settings filled in: from the PG* environment when
// `from_env`, else the usual local defaults. Never writes a password into the text.
std::string render_new_config(bool from_env, const EnvLookup& env = process_env());

// Writes `content` to `path` with mode 0600, creating parent folders. Without `force`, an
// existing file is an error and stays untouched. Throws UsageError/ConfigError.
void write_new_config(const std::string& path, const std::string& content, bool force);

// Quotes a value as a single-quoted YAML scalar.
std::string yaml_quote(const std::string& value);

}  // namespace pgmonkey::config
