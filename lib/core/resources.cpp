// Lookup of the embedded template files.
#include "core/resources.hpp"

#include <stdexcept>

namespace pgmonkey::core {

std::string_view resource(const std::string& path) {
  const auto& all = embedded_resources();
  auto it = all.find(path);
  if (it == all.end()) throw std::logic_error("template not embedded in this build: " + path);
  return it->second;
}

}  // namespace pgmonkey::core
