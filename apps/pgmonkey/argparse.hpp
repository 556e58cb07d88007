// pgmonkey's command lines read the way Python's argparse reads them: long options, --opt=value,
// and unambiguous prefixes (--conn for --connconfig), so pgmonkey users' scripts parse unchanged.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace pgmonkey::app::compat {

struct ArgSpec {
  std::vector<std::string> names;  // "--filepath", "--connconfig": aliases of one argument
  std::string dest;                // key in Parsed::values
  bool takes_value = true;         // false: a store_true flag
  bool required = false;
  std::vector<std::string> choices;  // empty: any value
  std::string help;
};

struct CommandSpec {
  std::string path;  // "pgmonkey pgconfig create", for messages and --help
  std::string description;
  std::vector<ArgSpec> args;
};

struct Parsed {
  std::map<std::string, std::string> values;  // dest → value ("1" for a flag that was given)
  bool help = false;
  bool has(const std::string& dest) const { return values.count(dest) != 0; }
  std::string get(const std::string& dest, const std::string& fallback = {}) const;
};

// Throws UsageError with argparse's meaning: unrecognized arguments, ambiguous option (listing
// the candidates), expected one argument, invalid choice, the following arguments are required.
Parsed parse_args(const CommandSpec& spec, const std::vector<std::string>& args);

// The --help text of a command, argparse's layout.
std::string help_text(const CommandSpec& spec);

}  // namespace pgmonkey::app::compat
