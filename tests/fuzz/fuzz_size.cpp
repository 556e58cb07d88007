// Fuzzes size parsing (--ram) and pg_settings memory values; the tab splits setting and unit.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/sizing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey::server;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto kb = parse_size_kb(text)) {
    if (*kb > kMaxSizeKb) __builtin_trap();
    // What pgserverconfig does with it: the PGTune arithmetic must not overflow either.
    auto t = pgtune_targets(Machine{*kb, static_cast<int>(size % 300), static_cast<Workload>(size % 5)}, 262143);
    (void)format_size_kb(t.shared_buffers_kb);
  }
  const auto tab = text.find('\t');
  if (tab != std::string::npos) {
    if (auto kb = setting_to_kb(text.substr(0, tab), text.substr(tab + 1))) {
      if (*kb > kMaxSizeKb) __builtin_trap();
      (void)format_size_kb(*kb);
    }
  }
  return 0;
}
