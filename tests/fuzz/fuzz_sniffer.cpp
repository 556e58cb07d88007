// Fuzzes the CSV sniffer (dialect, line ending, header, types) over a whole small input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "csv/sniffer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey;
  if (size == 0) return 0;
  csv::SniffOptions options;
  options.infer_types = (data[0] & 1) != 0;
  if (data[0] & 2) options.given.delimiter.offer(';', csv::Source::user);
  if (data[0] & 4) options.given.header.offer(false, csv::Source::user);
  const std::string_view sample(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    (void)csv::sniff(sample, (data[0] & 8) == 0, options);
  } catch (const Error&) {
    // A file the sniffer cannot read, reported with an exit code: the documented outcome.
  }
  return 0;
}
