// Fuzzes the config loader: YAML parsing, merge keys, the schema checks, interpolation with --resolve-env.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey::config;
  const std::string text(reinterpret_cast<const char*>(data), size);
  LoadOptions options;
  options.resolve_env = size % 2 == 0;  // both ways, decided by the input
  options.allow_sensitive_defaults = size % 3 == 0;
  options.env = fixed_env({{"HOST", "db.example.com"}, {"PORT", "5432"}, {"EMPTY", ""}});
  // Content problems are findings, never exceptions: anything thrown here is a bug.
  LoadResult r = load_config_text(text, "fuzz.yaml", options);
  for (const auto& f : r.findings) (void)f.to_string();
  return 0;
}
