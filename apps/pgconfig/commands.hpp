// pgconfig's subcommands: each binds its flags in setup_*() and does its job in run_*().
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "common/cli.hpp"

namespace pgmonkey::app::pgconfig {

struct CreateOptions {
  bool force = false;
  bool from_env = false;
  std::string from_dsn;  // a postgresql:// URI or key=value conninfo
  bool with_password = false;
};
CLI::App* setup_create(CLI::App& app, CommonOptions& common, CreateOptions& opts);
int run_create(const CommonOptions& common, const CreateOptions& opts);

struct ValidateOptions {
  bool strict = false;
};
CLI::App* setup_validate(CLI::App& app, CommonOptions& common, ValidateOptions& opts);
int run_validate(const CommonOptions& common, const ValidateOptions& opts);

struct TestOptions {
  std::string connection_type;  // empty: the file's own
  double wait_seconds = 0;
};
CLI::App* setup_test(CLI::App& app, CommonOptions& common, TestOptions& opts);
int run_test(const CommonOptions& common, const TestOptions& opts);

struct GenerateOptions {
  std::string connection_type;  // empty: the file's own
  std::string language = "cpp";
  std::string library;  // empty: the language's default
  std::string output;   // empty: stdout
  bool force = false;
  int libpqxx = 0;  // 6 or 7; 0: the installed one
};
CLI::App* setup_generate(CLI::App& app, CommonOptions& common, GenerateOptions& opts);
int run_generate(const CommonOptions& common, const GenerateOptions& opts);

}  // namespace pgmonkey::app::pgconfig
