// Files from templates/, embedded in the binary at build time.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pgmonkey::core {

// Every embedded file, keyed by its path under templates/ (e.g. "config/pgmonkey.yaml").
const std::map<std::string, std::string_view>& embedded_resources();

// One embedded file; throws std::logic_error if the build did not embed it.
std::string_view resource(const std::string& path);

}  // namespace pgmonkey::core
