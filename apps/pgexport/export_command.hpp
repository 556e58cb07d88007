// pgexport's flags and its run: bind the options, call the export job, print what it reports.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "common/cli.hpp"
#include "transfer/dialect_flags.hpp"

namespace pgmonkey::app::pgexport {

struct Options {
  std::string table, output, sidecar;
  std::optional<std::string> columns;
  bool force = false;
  transfer::DialectFlags dialect;
  std::optional<std::string> force_quote;
  bool crlf = false;
  std::string progress = "auto";
  std::optional<std::string> compress;  // gzip, zstd, bzip2, xz, none; default: by -o's suffix
  std::optional<int> compress_level;
  int jobs = 1;  // sessions for a big table (--jobs)
  bool dry_run = false;
};

constexpr int kMaxJobs = 64;

void setup(CLI::App& app, CommonOptions& common, Options& opts);
int run(const CommonOptions& common, Options& opts);

}  // namespace pgmonkey::app::pgexport
