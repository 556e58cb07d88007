// Fuzzes the import's record scanner; the first byte picks the dialect, the second the chunk size.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "csv/record_scanner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey::csv;
  if (size < 2) return 0;
  static const char delimiters[] = {',', ';', '\t', '|'};
  static const LineEnding endings[] = {LineEnding::lf, LineEnding::crlf, LineEnding::cr};
  RecordScanner::Config config;
  config.delimiter = delimiters[data[0] & 3];
  config.quote = data[0] & 4 ? '\'' : '"';
  config.line_ending = endings[(data[0] >> 3) % 3];
  config.skip_header = (data[0] & 32) != 0;
  config.expected_fields = (data[0] & 64) ? 2 : 0;
  config.drop_trailing_fields = (data[0] & 192) == 192 ? 1 : 0;  // a spreadsheet's trailing delimiter
  config.max_record_bytes = 1024;
  const std::size_t chunk = 1 + data[1] % 64;
  const char* text = reinterpret_cast<const char*>(data) + 2;
  const std::size_t length = size - 2;
  std::size_t sent = 0;
  RecordScanner scanner(config);
  const RecordScanner::Sink sink = [&](const char*, std::size_t n) { sent += n; };
  try {
    // As the importer feeds it: the unused tail goes again in front of the next chunk.
    std::string pending;
    for (std::size_t pos = 0; pos <= length; pos += chunk) {
      pending.append(text + std::min(pos, length), std::min(chunk, length - std::min(pos, length)));
      const bool at_end = pos + chunk >= length;
      const std::size_t used = scanner.scan(pending.data(), pending.size(), at_end, sink);
      if (used > pending.size()) __builtin_trap();
      pending.erase(0, used);
      if (at_end) {
        if (!pending.empty()) __builtin_trap();  // "With at_end, everything is used"
        break;
      }
    }
    (void)scanner.line_map();
  } catch (const DataError&) {
    // Bad data at a line: the documented outcome.
  }
  return 0;
}
