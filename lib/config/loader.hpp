// Reads and validates a config file, collecting every finding instead of stopping at the first.
#pragma once

#include <string>
#include <vector>

#include "config/interpolate.hpp"
#include "config/model.hpp"

namespace pgmonkey::config {

struct LoadOptions {
  bool resolve_env = false;               // --resolve-env
  bool allow_sensitive_defaults = false;  // --allow-sensitive-defaults
  EnvLookup env = process_env();
};

struct LoadResult {
  Config config;
  std::vector<Finding> findings;  // in file order
  bool password_in_file = false;  // written as is, not a ${VAR}, from_env or from_file reference
  bool has_errors() const;
  bool has_warnings() const;
};

// Parses and validates; content problems become findings. Throws ConfigError only when the
// file cannot be read at all. The password libpq would take from PGPASSWORD is registered for
// redaction too, as a password read from the file is.
LoadResult load_config(const std::string& path, const LoadOptions& options = {});

// Same, from text (for tests and stdin); `name` is used in findings.
LoadResult load_config_text(const std::string& text, const std::string& name, const LoadOptions& options = {});

// For tools that need a usable config: throws ConfigError listing every error; returns the
// config and hands back the warnings for the caller to log.
Config require_config(const std::string& path, const LoadOptions& options, std::vector<Finding>& warnings);

}  // namespace pgmonkey::config
