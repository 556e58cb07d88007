// Command-line mistakes in the tools' own voice: "unknown option '--encodng' (did you mean
// '--encoding'?)" and "Try 'pgimport --help'", instead of CLI11's bare messages.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace pgmonkey::app {

struct UsageMessage {
  std::string message;
  std::string hint;
};

// What went wrong with the command line that `app` just failed to parse.
UsageMessage describe_usage_error(const CLI::App& app, const CLI::ParseError& e);

}  // namespace pgmonkey::app
