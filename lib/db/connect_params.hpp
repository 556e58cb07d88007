// The keyword/value arrays every connection is made from: one builder for every tool.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/model.hpp"

namespace pgmonkey::db {

// Setting::line of a connection value given on the command line (-d, -h, -p, -U, -W), so that
// messages can say where a value came from without a second channel next to the config.
inline constexpr int kFromCommandLine = -1;

struct ConnectParams {
  std::vector<std::string> keywords;
  std::vector<std::string> values;
  // Where each value came from ("config app.yaml line 4", "command line"); may be shorter
  // than keywords for hand-built params, which then count as "set by the caller".
  std::vector<std::string> origins;

  // Null-terminated views for PQconnectdbParams / PQconnectStartParams; valid while *this lives.
  std::vector<const char*> keyword_ptrs() const;
  std::vector<const char*> value_ptrs() const;

  // The value set for a keyword, or empty.
  std::string get(const std::string& keyword) const;
  // "host=... port=... dbname=... user=..." for messages; never includes the password. Values
  // not set here are the ones libpq will use (PG* environment, service file, defaults), so a
  // message names the real target, not "(libpq defaults)".
  std::string describe() const;
  // Where `keyword` comes from, for hints: "'dbname' in the config", "-d/--dbname",
  // "PGDATABASE", "libpq's default".
  std::string where(const std::string& keyword) const;
};

// From a config: its connection keywords (libpq defaults fill the rest), plus
// fallback_application_name = the tool's name so the server can tell who connected.
ConnectParams make_params(const config::Config& config, const std::string& tool_name);

// A -d/--dbname argument as psql reads it: a postgresql:// URI or a key=value conninfo string
// becomes its keyword/value pairs (checked by libpq's own parser); anything else is a database
// name. Throws UsageError with libpq's reason, never echoing a password.
std::vector<std::pair<std::string, std::string>> parse_dbname_argument(const std::string& arg);

// One connection value and where it came from, for `-v`. `value` is empty for the password
// ("set" or not is all that is said).
struct ValueSource {
  std::string keyword;
  std::string value;
  std::string origin;  // "command line", "config FILE line N", "environment PGHOST", "service", "default"
};

// host, hostaddr, port, dbname, user, password, passfile, service, sslmode, connect_timeout:
// the value libpq will use and its origin.
std::vector<ValueSource> value_sources(const ConnectParams& params);

}  // namespace pgmonkey::db
