// `pgconfig generate-code`: picks the template for a language, library and connection type and
// renders a complete starter program from a config. Never puts the password in the text.
#pragma once

#include <string>
#include <vector>

#include "codegen/libpqxx_version.hpp"
#include "config/model.hpp"

namespace pgmonkey::codegen {

// One supported combination and the template it is rendered from (path under templates/).
struct Variant {
  std::string language;  // cpp, c, python
  std::string library;   // libpqxx, libpq, psycopg, pgmonkey
  config::ConnectionType type = config::ConnectionType::normal;
  std::string template_path;
  std::string file_extension;  // .cpp, .c, .py
};

// Every combination, in the order the usage error lists them.
const std::vector<Variant>& variants();
const std::vector<std::string>& languages();
// The library used when --library is not given.
std::string default_library(const std::string& language);

struct Request {
  std::string language = "cpp";
  std::string library;          // empty: default_library(language)
  std::string connection_type;  // empty: the config's own
  std::string config_path;      // the default path the generated program reads at run time
  std::string output_path;      // where the program is written, for the build hints; empty: stdout
  bool resolve_env = false;     // pgmonkey programs then pass resolve_env=True
  int libpqxx = 0;              // C++: write for libpqxx 6 or 7; 0: the installed one (choose_libpqxx)
};

struct Program {
  Variant variant;
  std::string text;
  std::string suggested_file;         // the output file, or e.g. pgmonkey_pool.cpp
  std::string build_command;          // how to compile it, empty for Python
  std::string run_command;            // how to run it
  std::vector<std::string> warnings;  // config keys the program will not honour, for the caller to log
  LibpqxxChoice libpqxx;              // C++ only: the libpqxx it is written for, and why
};

// The variant for a request; throws UsageError listing what is supported when there is none.
const Variant& select_variant(const config::Config& config, const Request& request);

// Renders the program. Throws UsageError for unsupported combinations.
Program generate(const config::Config& config, const Request& request);

}  // namespace pgmonkey::codegen
