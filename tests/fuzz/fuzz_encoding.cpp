// Fuzzes encoding detection and the transcoder to UTF-8, in small chunks as the import reads.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "encoding/detect.hpp"
#include "encoding/transcoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey;
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 16;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    (void)encoding::detect_bom(input);
    const auto choice = encoding::detect_encoding(input, true);
    if (choice.bom_length > input.size()) __builtin_trap();
    encoding::Transcoder transcoder(choice.name);
    std::string pending, out;
    std::string_view rest = input.substr(choice.bom_length);
    while (true) {
      const bool at_end = rest.size() <= chunk;
      pending.append(rest.substr(0, chunk));
      rest.remove_prefix(std::min(chunk, rest.size()));
      const auto step = transcoder.convert(pending, out, at_end);
      if (step.consumed > pending.size()) __builtin_trap();
      if (step.invalid) break;  // the import stops here and names the line
      pending.erase(0, step.consumed);
      if (at_end) break;
    }
  } catch (const Error&) {
    // Nothing fits, or iconv does not know the name: reported with an exit code.
  }
  return 0;
}
