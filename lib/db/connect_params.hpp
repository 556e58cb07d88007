// The keyword/value arrays every connection is made from: one builder for every tool.
#pragma once

#include <string>
#include <vector>

#include "config/model.hpp"

namespace pgmonkey::db {

struct ConnectParams {
  std::vector<std::string> keywords;
  std::vector<std::string> values;

  // Null-terminated views for PQconnectdbParams / PQconnectStartParams; valid while *this lives.
  std::vector<const char*> keyword_ptrs() const;
  std::vector<const char*> value_ptrs() const;

  // The value set for a keyword, or empty.
  std::string get(const std::string& keyword) const;
  // "host=... port=... dbname=... user=..." for messages; never includes the password.
  std::string describe() const;
};

// From a config: its connection keywords (libpq defaults fill the rest), plus
// fallback_application_name = the tool's name so the server can tell who connected.
ConnectParams make_params(const config::Config& config, const std::string& tool_name);

}  // namespace pgmonkey::db
