// Reading and writing the sidecar import config.
#include "transfer/import_config.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace pgmonkey::transfer {
namespace {

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

ImportConfig read_import_config(const std::string& path, std::vector<std::string>& warnings) {
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw ConfigError("cannot read import config " + path, e.what());
  }
  ImportConfig c;
  if (doc.IsNull()) return c;
  if (!doc.IsMap()) throw ConfigError("import config " + path + " is not a mapping of keys to values");
  static const std::set<std::string> known{"has_headers", "auto_create_table", "enforce_lowercase",
                                           "delimiter",   "quotechar",         "encoding"};
  for (const auto& kv : doc) {
    std::string key = kv.first.as<std::string>();
    int line = kv.first.Mark().line + 1;
    if (!known.count(key)) {
      std::vector<std::string> names(known.begin(), known.end());
      std::string dym = core::did_you_mean(key, names);
      warnings.push_back(path + ":" + std::to_string(line) + ": unknown key '" + key + "' ignored" +
                         (dym.empty() ? "" : " (did you mean '" + dym + "'?)"));
      continue;
    }
    if (!kv.second.IsScalar())
      throw ConfigError(path + ":" + std::to_string(line) + ": '" + key + "' must be a single value");
    std::string value = kv.second.as<std::string>();
    if (key == "delimiter" || key == "quotechar" || key == "encoding") {
      (key == "delimiter" ? c.delimiter : key == "quotechar" ? c.quotechar : c.encoding) = value;
      continue;
    }
    auto b = core::parse_bool(value);
    if (!b)
      throw ConfigError(path + ":" + std::to_string(line) + ": '" + key + "' must be true or false, got '" + value +
                        "'");
    (key == "has_headers"         ? c.has_headers
     : key == "auto_create_table" ? c.auto_create_table
                                  : c.enforce_lowercase) = *b;
  }
  return c;
}

std::string render_import_config(const ImportConfig& c, const std::string& data_file) {
  auto b = [](const std::optional<bool>& v) { return v.value_or(true) ? "true" : "false"; };
  std::string out = "# Import settings for " + data_file +
                    " (written by pgimport --write-import-config).\n"
                    "# Review them, then run pgimport again; flags on the command line override these.\n";
  out += std::string("has_headers: ") + b(c.has_headers) + "\n";
  out += std::string("auto_create_table: ") + b(c.auto_create_table) + "\n";
  out += std::string("enforce_lowercase: ") + b(c.enforce_lowercase) + "\n";
  out += "delimiter: " + yaml_string(c.delimiter.value_or(",")) + "\n";
  out += "quotechar: " + yaml_string(c.quotechar.value_or("\"")) + "\n";
  out += "encoding: " + yaml_string(c.encoding.value_or("UTF-8")) + "\n";
  return out;
}

}  // namespace pgmonkey::transfer
