// Shell completion scripts generated from the CLI11 definition itself, so they cannot drift
// from the flags: `TOOL --completion bash|zsh|fish` prints one (the build installs them).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace pgmonkey::app {

// Throws UsageError for an unknown shell.
std::string completion_script(const CLI::App& app, const std::string& shell);

}  // namespace pgmonkey::app
