// pgmonkey: pgmonkey 4's command lines, unchanged, run by the native tools.
#include "common/output.hpp"
#include "core/error.hpp"
#include "pgmonkey/commands.hpp"

using namespace pgmonkey;
using namespace pgmonkey::app;

int main(int argc, char** argv) {
  init_logging("pgmonkey");
  // Build-time hook, as in the other tools: the packaging installs what this prints.
  if (argc == 3 && std::string(argv[1]) == "--completion") return compat::print_completion(argv[2]);
  try {
    auto run = compat::translate(std::vector<std::string>(argv + 1, argv + argc));
    if (run.tool.empty()) return 0;
    return compat::exec_native(run);
  } catch (const Error& e) {
    error(e.what(), e.detail(), e.hint());
    return static_cast<int>(e.code());
  }
}
