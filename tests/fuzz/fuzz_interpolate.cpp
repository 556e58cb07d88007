// Fuzzes ${VAR} / ${VAR:-default} expansion; the first byte picks the key and the options.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/interpolate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey::config;
  if (size == 0) return 0;
  static const EnvLookup env = fixed_env({{"A", "alpha"}, {"B", "${A}"}, {"EMPTY", ""}});
  const std::string key = data[0] & 1 ? "password" : "host";
  const bool allow_defaults = (data[0] & 2) != 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    (void)has_env_reference(text);
    (void)expand_env_refs(text, key, allow_defaults, env);
  } catch (const InterpolationError&) {
    // A bad reference: the documented outcome.
  }
  return 0;
}
