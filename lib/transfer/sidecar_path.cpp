// The sidecar's name, with std::filesystem's idea of an extension.
#include "transfer/sidecar_path.hpp"

#include <filesystem>
#include <system_error>

namespace pgmonkey::transfer {
namespace fs = std::filesystem;

std::string sidecar_path(const std::string& data_file) {
  return fs::path(data_file).replace_extension(".yaml").string();
}

std::string find_sidecar(const std::string& data_file) {
  if (data_file.empty() || data_file == "-") return {};
  std::error_code ec;
  std::string swapped = sidecar_path(data_file);
  if (fs::is_regular_file(swapped, ec)) return swapped;
  std::string appended = data_file + ".yaml";
  if (fs::is_regular_file(appended, ec)) return appended;
  return {};
}

}  // namespace pgmonkey::transfer
