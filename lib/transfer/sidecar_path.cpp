// The sidecar's name, with std::filesystem's idea of an extension.
#include "transfer/sidecar_path.hpp"

#include <filesystem>
#include <system_error>

#include "compress/compression.hpp"

namespace pgmonkey::transfer {
namespace fs = std::filesystem;

namespace {

// data.csv.gz is data.csv for the sidecar rule.
std::string without_compression(const std::string& path) {
  return path.substr(0, path.size() - compress::extension(path).size());
}

}  // namespace

std::string sidecar_path(const std::string& data_file) {
  return fs::path(without_compression(data_file)).replace_extension(".yaml").string();
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
  std::string appended = without_compression(data_file) + ".yaml";
  if (usable(appended)) return appended;
  return {};
}

}  // namespace pgmonkey::transfer
