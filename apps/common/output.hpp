// Where the tools write: results to stdout, diagnostics to stderr through spdlog; every
// string is passed through the secret redactor on its way out.
#pragma once

#include <string>

#include "core/error.hpp"

namespace pgmonkey::app {

// Whether colour may be used on this stream: PG_COLOR=always|never decides when set; otherwise
// (PG_COLOR=auto or unset) a TTY, NO_COLOR unset and TERM not dumb.
bool use_color(int fd);

// One-time logger setup for `tool`: stderr, info level.
void init_logging(const std::string& tool);
// After parsing: debug with verbose, errors only with quiet.
void set_verbosity(bool verbose, bool quiet);

// A line of results: on stdout, or on stderr once results_to_stderr() was called because the
// data itself goes to stdout (pgexport -o -).
void out(const std::string& text);
void results_to_stderr();
// Whether out() has written anything (run() adds a JSON failure document when it has not).
bool results_written();
void info(const std::string& text);
void warn(const std::string& text);
void debug(const std::string& text);
// Whether debug() lines are shown (-v), to skip work done only for them.
bool debug_enabled();
// error, then detail and hint lines, the way PostgreSQL's client programs print them.
void error(const std::string& message, const std::string& detail = {}, const std::string& hint = {});

// Colours a status word (OK/WARN/FAIL/SKIP...) for stdout when allowed.
std::string status_word(const std::string& word);

}  // namespace pgmonkey::app
