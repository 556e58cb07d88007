// Fuzzes pgexport's byte steps (CRLF outside quotes, UTF-16, the ASCII check) over chunked input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "transfer/export_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey;
  if (size < 2) return 0;
  static const transfer::ClientTranscode kinds[] = {transfer::ClientTranscode::none, transfer::ClientTranscode::utf16le,
                                                    transfer::ClientTranscode::utf16be,
                                                    transfer::ClientTranscode::ascii_check};
  const bool crlf = (data[0] & 1) != 0;
  const char quote = data[0] & 2 ? '\'' : '"';
  transfer::EncodingPlan plan;
  plan.client = kinds[(data[0] >> 2) & 3];
  const std::size_t chunk = 1 + data[1] % 32;
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  try {
    transfer::OutputEncoder encoder(crlf, quote, plan);
    std::string out = encoder.preamble();
    while (!rest.empty()) {
      encoder.encode(rest.substr(0, chunk), out);
      rest.remove_prefix(std::min(chunk, rest.size()));
    }
    encoder.finish(out);
  } catch (const Error&) {
    // Input the target encoding cannot hold, or that ends inside a character: reported.
  }
  return 0;
}
