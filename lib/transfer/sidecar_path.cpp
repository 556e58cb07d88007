// The sidecar's name, with std::filesystem's idea of an extension.
#include "transfer/sidecar_path.hpp"

#include <filesystem>
#include <system_error>

namespace pgmonkey::transfer {
namespace fs = std::filesystem;

std::string sidecar_path(const std::string& data_file) {
  return fs::path(data_file).replace_extension(".yaml").string();
}

std::string find_sidecar(const std::string& data_file, const std::string& connection_config) {
  if (data_file.empty() || data_file == "-") return {};
  auto usable = [&](const std::string& candidate) {
    std::error_code ec;
    if (!fs::is_regular_file(candidate, ec)) return false;
    return connection_config.empty() || !fs::equivalent(candidate, connection_config, ec);
  };
  std::string swapped = sidecar_path(data_file);
  if (usable(swapped)) return swapped;
  std::string appended = data_file + ".yaml";
  if (usable(appended)) return appended;
  return {};
}

}  // namespace pgmonkey::transfer
