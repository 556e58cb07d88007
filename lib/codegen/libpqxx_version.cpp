// Which libpqxx a generated C++ program is written for.
#include "codegen/libpqxx_version.hpp"

#include <cstdio>
#include <memory>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/connection.hpp"

namespace pgmonkey::codegen {
namespace {

// `pkg-config --modversion libpqxx`, or empty when pkg-config or the .pc file is missing.
std::string pkg_config_version() {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen("pkg-config --modversion libpqxx 2>/dev/null", "r"), ::pclose);
  if (!p) return {};
  std::string out;
  char buf[128];
  while (std::fgets(buf, sizeof buf, p.get())) out += buf;
  return core::trim(out);
}

}  // namespace

std::optional<int> libpqxx_major_of(const std::string& version) {
  auto dot = version.find('.');
  auto n = core::parse_int(version.substr(0, dot));
  if (!n || *n < 1) return std::nullopt;
  return static_cast<int>(*n);
}

LibpqxxChoice choose_libpqxx(int requested) {
  if (requested == 6 || requested == 7) return {requested, "--libpqxx"};
  if (requested != 0)
    throw UsageError("--libpqxx " + std::to_string(requested) + " is not supported", "use --libpqxx 6 or 7");
  const std::string version = pkg_config_version();
  if (auto major = libpqxx_major_of(version)) return {*major >= 7 ? 7 : 6, "pkg-config libpqxx " + version};
  return {db::libpqxx_major() >= 7 ? 7 : 6, "pgmonkey's build"};
}

}  // namespace pgmonkey::codegen
