// What every tool shares on the command line: config and connection flags, output format,
// verbosity, and the one place errors become exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "config/loader.hpp"

namespace pgmonkey::app {

// psql's connection flags; each one set overrides the config's key of the same meaning.
struct ConnectionFlags {
  std::string dbname;            // -d: a database name, a postgresql:// URI or a key=value conninfo
  std::string host;              // -h
  std::string port;              // -p
  std::string username;          // -U
  bool prompt_password = false;  // -W
  bool never_prompt = false;     // -w
};

struct CommonOptions {
  std::string config;
  ConnectionFlags connection;
  bool resolve_env = false;
  bool allow_sensitive_defaults = false;
  std::string format = "text";
  bool verbose = false;
  bool quiet = false;

  bool json() const { return format == "json"; }
  config::LoadOptions load_options() const;
};

// -c/--config (and pgmonkey's --connconfig, --filepath), for commands that need the file itself.
CLI::Option* add_config_option(CLI::App& app, CommonOptions& opts, bool required = true);
// For every command that connects: an optional -c plus psql's -d/--dbname, -h/--host, -p/--port,
// -U/--username, -W/--password, -w/--no-password. Without -c the tool connects as psql does,
// with libpq's environment and defaults.
void add_connection_options(CLI::App& app, CommonOptions& opts);
// --resolve-env, --allow-sensitive-defaults, --format, -v/--verbose, -q/--quiet.
void add_common_options(CLI::App& app, CommonOptions& opts);

// The config a tool connects with: the -c file when given (warnings logged, errors thrown),
// else an empty normal-type config that leaves everything to libpq; then the connection flags
// on top. With -v, logs where each connection value comes from (never the password).
config::Config load_config(const CommonOptions& opts);

// Sets up the app's name, -?/--help, --version and the examples footer.
void describe(CLI::App& app, const std::string& examples);

// Parses argv, sets up logging, runs `body`, and maps every error to its exit code.
int run(CLI::App& app, int argc, char** argv, const CommonOptions& opts, const std::function<int()>& body);

}  // namespace pgmonkey::app
