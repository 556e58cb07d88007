// pgimport's flags and its run: bind the options, call the import job, print what it reports.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "common/cli.hpp"
#include "transfer/import_job.hpp"

namespace pgmonkey::app::pgimport {

struct Options {
  transfer::ImportOptions job;
  std::vector<std::string> files;  // FILE...
  std::string file_option;         // --import_file, pgmonkey's spelling
  bool header = false;
  bool no_header = false;
  bool no_create = false;
  bool keep_case = false;
  std::string progress = "auto";
  bool recover = false;  // --recover: finish what interrupted parallel runs left
};

void setup(CLI::App& app, CommonOptions& common, Options& opts);
int run(const CommonOptions& common, Options& opts);

}  // namespace pgmonkey::app::pgimport
