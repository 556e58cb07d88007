// pgmonkey's sidecar import config (FILE.yaml): read it, and write what was detected for review.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "transfer/sidecar_path.hpp"  // where the file lives

namespace pgmonkey::transfer {

struct ImportConfig {
  std::optional<bool> has_headers;
  std::optional<bool> auto_create_table;
  std::optional<bool> enforce_lowercase;
  std::optional<std::string> delimiter;
  std::optional<std::string> quotechar;
  std::optional<std::string> encoding;
};

// Throws ConfigError for unreadable YAML or a key with the wrong type; unknown keys become warnings.
ImportConfig read_import_config(const std::string& path, std::vector<std::string>& warnings);

// The YAML text written by --write-import-config.
std::string render_import_config(const ImportConfig& c, const std::string& data_file);

}  // namespace pgmonkey::transfer
