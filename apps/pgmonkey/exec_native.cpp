// Runs the native tool in place of pgmonkey: the sibling binary first, so an installed or
// build-tree pgmonkey always runs the tools it came with.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/output.hpp"
#include "core/error.hpp"
#include "pgmonkey/commands.hpp"

namespace pgmonkey::app::compat {

int exec_native(const NativeRun& run) {
  std::vector<std::string> argv_strings{run.tool};
  argv_strings.insert(argv_strings.end(), run.args.begin(), run.args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto sibling = self.parent_path() / run.tool;
    if (::access(sibling.c_str(), X_OK) == 0) ::execv(sibling.c_str(), argv.data());
  }
  ::execvp(run.tool.c_str(), argv.data());
  error("cannot run " + run.tool + ": " + std::strerror(errno), {},
        "install the pgmonkey tools together; pgmonkey runs " + run.tool + " from its own folder or PATH");
  return static_cast<int>(ExitCode::failed);
}

}  // namespace pgmonkey::app::compat
