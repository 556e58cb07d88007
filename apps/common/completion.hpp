// Shell completion scripts generated from the CLI11 definition itself, so they cannot drift
// from the flags: `TOOL --completion bash|zsh|fish` prints one (the build installs them).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace pgmonkey::app {

// Throws UsageError for an unknown shell.
std::string completion_script(const CLI::App& app, const std::string& shell);

// `TOOL --complete-tables WORDS...`: the table names the connection in WORDS (the command line
// being completed: -c, -d, -h, -p, -U, PG* environment) can see, one a line. Prints nothing and
// returns 0 on any failure, so a completion never shows an error.
int complete_tables(const CLI::App& app, int argc, char** argv);

}  // namespace pgmonkey::app
