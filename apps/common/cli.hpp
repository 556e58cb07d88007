// What every tool shares on the command line: config flags, output format, verbosity, and
// the one place errors become exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "config/loader.hpp"

namespace pgmonkey::app {

struct CommonOptions {
  std::string config;
  bool resolve_env = false;
  bool allow_sensitive_defaults = false;
  std::string format = "text";
  bool verbose = false;
  bool quiet = false;

  bool json() const { return format == "json"; }
  config::LoadOptions load_options() const;
};

// -c/--config (and pgmonkey's --connconfig, --filepath).
CLI::Option* add_config_option(CLI::App& app, CommonOptions& opts, bool required = true);
// --resolve-env, --allow-sensitive-defaults, --format, -v/--verbose, -q/--quiet.
void add_common_options(CLI::App& app, CommonOptions& opts);

// Loads the config for a tool that needs a usable one: logs warnings, throws on errors.
config::Config load_config(const CommonOptions& opts);

// Sets up the app's name, --version and the examples footer.
void describe(CLI::App& app, const std::string& examples);

// Parses argv, sets up logging, runs `body`, and maps every error to its exit code.
int run(CLI::App& app, int argc, char** argv, const CommonOptions& opts, const std::function<int()>& body);

}  // namespace pgmonkey::app
