// `pgconfig create`: the commented config template, rendered and written safely.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/interpolate.hpp"

namespace pgmonkey::config {

// The template text with connection settings filled in: from the PG* environment when
// `from_env`, else the usual local defaults. Never writes a password into the text.
std::string render_new_config(bool from_env, const EnvLookup& env = process_env());

// The PG* variables --from-env takes, those set in `env`, in template order (PGPASSWORD is
// never among them: it is left to libpq at run time).
std::vector<std::string> env_variables_set(const EnvLookup& env = process_env());

// `pgconfig create --from-dsn`: the template with connection_settings from a parsed URI or
// conninfo (keyword/value pairs). Keys the DSN does not set are written as comments, so libpq's
// defaults stay in force; the password only with `with_password`.
std::string render_config_from_settings(const std::vector<std::pair<std::string, std::string>>& settings,
                                        bool with_password, const std::string& origin);

// Writes `content` to `path` with mode 0600, creating parent folders. Without `force`, an
// existing file is an error and stays untouched. Throws UsageError/ConfigError.
void write_new_config(const std::string& path, const std::string& content, bool force);

// Quotes a value as a single-quoted YAML scalar.
std::string yaml_quote(const std::string& value);

}  // namespace pgmonkey::config
