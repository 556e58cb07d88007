// Results to stdout, diagnostics to stderr, secrets masked on the way out.
#include "common/output.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/redact.hpp"
#include "core/strings.hpp"

namespace pgmonkey::app {
namespace {

std::string& tool_name() {
  static std::string name = "pgmonkey";
  return name;
}

bool& stderr_color() {
  static bool on = false;
  return on;
}

// PostgreSQL's default PG_COLORS: error=01;31, warning=01;35, note (detail, hint)=01;36.
std::string colored_label(const std::string& label) {
  if (label.empty() || !stderr_color()) return label;
  const char* sgr = core::starts_with(label, "error")     ? "01;31"
                    : core::starts_with(label, "warning") ? "01;35"
                    : core::starts_with(label, "debug")   ? "01"
                                                          : "01;36";
  auto colon = label.find(':');
  return std::string("\033[") + sgr + "m" + label.substr(0, colon + 1) + "\033[0m" + label.substr(colon + 1);
}

void log_lines(spdlog::level::level_enum level, const std::string& label, const std::string& text) {
  auto logger = spdlog::default_logger();
  const std::string shown = colored_label(label);
  for (const auto& line : core::split(core::redact(text), '\n'))
    logger->log(level, "{}: {}{}", tool_name(), shown, line);
}

}  // namespace

bool use_color(int fd) {
  // PG_COLOR as PostgreSQL's tools read it; an explicit always/never beats the rest.
  const char* pg_color = std::getenv("PG_COLOR");
  std::string mode = pg_color ? pg_color : "auto";
  if (mode == "never") return false;
  if (mode == "always") return true;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

void init_logging(const std::string& tool) {
  tool_name() = tool;
  // Colour only the error:/warning:/hint: word (log_lines adds it), never the whole line.
  stderr_color() = use_color(STDERR_FILENO);
  auto logger = spdlog::stderr_color_st("pgmonkey-stderr", spdlog::color_mode::never);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void set_verbosity(bool verbose, bool quiet) {
  spdlog::default_logger()->set_level(verbose ? spdlog::level::debug
                                      : quiet ? spdlog::level::err
                                              : spdlog::level::info);
}

namespace {
std::FILE* g_results = nullptr;  // nullptr: stdout
bool g_results_written = false;
}  // namespace

void out(const std::string& text) {
  std::FILE* stream = g_results ? g_results : stdout;
  std::string line = core::redact(text);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stream);
  std::fflush(stream);
  g_results_written = true;
}

void results_to_stderr() {
  g_results = stderr;
}

bool results_written() {
  return g_results_written;
}

void info(const std::string& text) {
  log_lines(spdlog::level::info, "", text);
}
void warn(const std::string& text) {
  log_lines(spdlog::level::warn, "warning: ", text);
}
void debug(const std::string& text) {
  log_lines(spdlog::level::debug, "debug: ", text);
}

void error(const std::string& message, const std::string& detail, const std::string& hint) {
  log_lines(spdlog::level::err, "error: ", message);
  if (!detail.empty()) log_lines(spdlog::level::err, "detail: ", detail);
  if (!hint.empty()) log_lines(spdlog::level::err, "hint: ", hint);
}

bool debug_enabled() {
  return spdlog::default_logger()->should_log(spdlog::level::debug);
}

std::string status_word(const std::string& word) {
  if (!use_color(STDOUT_FILENO)) return word;
  const char* code = "0";
  if (word == "OK")
    code = "32";
  else if (word == "WARN")
    code = "33";
  else if (word == "FAIL" || word == "ERROR")
    code = "31";
  else if (word == "SKIP")
    code = "36";
  return std::string("\033[") + code + "m" + word + "\033[0m";
}

}  // namespace pgmonkey::app
