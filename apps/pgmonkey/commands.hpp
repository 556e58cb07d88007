// pgmonkey 4's commands and how each maps onto a native tool's command line.
#pragma once

#include <string>
#include <vector>

namespace pgmonkey::app::compat {

// A native tool to run in place of pgmonkey's command (empty tool: nothing to run, done).
struct NativeRun {
  std::string tool;
  std::vector<std::string> args;
};

// Parses pgmonkey's arguments (after the program name) and decides what to run. Prints help,
// the version and pgmonkey's own messages itself. Throws UsageError on bad command lines.
NativeRun translate(const std::vector<std::string>& args);

// pgmonkey's commands as "pgconfig create", "pgimport" ... with their specs, for completions.
struct CommandSpec;
std::vector<const CommandSpec*> command_specs();

// `pgmonkey --completion bash|zsh|fish`: prints the script; 2 for an unknown shell.
int print_completion(const std::string& shell);

// Replaces this process with `run.tool` from pgmonkey's own folder (else from PATH); returns
// only on failure, with the exit code to use.
int exec_native(const NativeRun& run);

}  // namespace pgmonkey::app::compat
