// pgmonkey's sidecar config next to a CSV file (data.csv → data.yaml), one file for both
// directions: read it, and write what pgimport detected for review.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "transfer/sidecar_path.hpp"  // where the file lives

namespace pgmonkey::transfer {

struct Sidecar {
  std::string path;
  std::optional<std::string> delimiter, quotechar, encoding;
  std::optional<bool> has_headers;
  std::optional<bool> auto_create_table, enforce_lowercase;  // pgimport's; pgexport ignores them
  std::vector<std::string> warnings;                         // unknown keys, for the app to show
};

// `kind` names the file in messages: "import config" or "export config". Throws ConfigError when
// the file is unreadable, not a YAML mapping, or a key has the wrong type; unknown keys become
// warnings with a did-you-mean.
Sidecar load_sidecar(const std::string& path, const std::string& kind);

// The YAML text pgimport --write-import-config writes (every key, defaults filled in).
std::string render_sidecar(const Sidecar& s, const std::string& data_file);

}  // namespace pgmonkey::transfer
