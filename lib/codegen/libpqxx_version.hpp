// Which libpqxx a generated C++ program is written for: the one asked for, else the one the user
// compiles against (pkg-config), else the one pgmonkey itself was built with.
#pragma once

#include <optional>
#include <string>

namespace pgmonkey::codegen {

struct LibpqxxChoice {
  int major = 0;       // 6 or 7 (7 covers 7.x)
  std::string source;  // "--libpqxx", "pkg-config libpqxx 7.10.0", "pgmonkey's build"
};

// The major version in a version string such as "7.10.0"; nullopt when there is none.
std::optional<int> libpqxx_major_of(const std::string& version);

// `requested` is 6, 7 or 0 (find out). Throws UsageError for any other number.
LibpqxxChoice choose_libpqxx(int requested);

}  // namespace pgmonkey::codegen
