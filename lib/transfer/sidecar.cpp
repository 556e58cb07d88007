// Reading and writing the sidecar config.
#include "transfer/sidecar.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace pgmonkey::transfer {
namespace {

const std::vector<std::string>& known_keys() {
  static const std::vector<std::string> keys{"delimiter",   "quotechar",         "encoding",
                                             "has_headers", "auto_create_table", "enforce_lowercase"};
  return keys;
}

std::string yaml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\t')
      out += "\\t";
    else
      out += c;
  }
  return out + "\"";
}

}  // namespace

Sidecar load_sidecar(const std::string& path, const std::string& kind) {
  Sidecar s;
  s.path = path;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw ConfigError("cannot read the " + kind + " " + path, e.what(),
                      "fix the file or remove it; flags such as --delimiter work without it");
  }
  if (root.IsNull()) return s;
  if (!root.IsMap())
    throw ConfigError("the " + kind + " " + path + " is not a mapping of keys to values", {},
                      "write it as 'delimiter: \",\"', 'quotechar: \"\\\"\"', 'encoding: utf-8' lines");
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    std::string where = path + ":" + std::to_string(kv.first.Mark().line + 1);
    const auto& keys = known_keys();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string guess = core::did_you_mean(key, keys);
      s.warnings.push_back(where + ": unknown key '" + key + "' ignored" +
                           (guess.empty() ? "" : " (did you mean '" + guess + "'?)"));
      continue;
    }
    if (!kv.second.IsScalar()) throw ConfigError(where + ": '" + key + "' must be a single value");
    std::string value = kv.second.as<std::string>();
    if (key == "delimiter" || key == "quotechar" || key == "encoding") {
      (key == "delimiter" ? s.delimiter : key == "quotechar" ? s.quotechar : s.encoding) = value;
      continue;
    }
    auto b = core::parse_bool(value);
    if (!b) throw ConfigError(where + ": '" + key + "' must be true or false, not '" + value + "'");
    (key == "has_headers"         ? s.has_headers
     : key == "auto_create_table" ? s.auto_create_table
                                  : s.enforce_lowercase) = *b;
  }
  return s;
}

std::string render_sidecar(const Sidecar& s, const std::string& data_file) {
  auto b = [](const std::optional<bool>& v) { return v.value_or(true) ? "true" : "false"; };
  std::string out = "# Import settings for " + data_file +
                    " (written by pgimport --write-import-config).\n"
                    "# Review them, then run pgimport again; flags on the command line override these.\n";
  out += std::string("has_headers: ") + b(s.has_headers) + "\n";
  out += std::string("auto_create_table: ") + b(s.auto_create_table) + "\n";
  out += std::string("enforce_lowercase: ") + b(s.enforce_lowercase) + "\n";
  out += "delimiter: " + yaml_string(s.delimiter.value_or(",")) + "\n";
  out += "quotechar: " + yaml_string(s.quotechar.value_or("\"")) + "\n";
  out += "encoding: " + yaml_string(s.encoding.value_or("UTF-8")) + "\n";
  return out;
}

}  // namespace pgmonkey::transfer
