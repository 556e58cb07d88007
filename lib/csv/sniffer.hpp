// The CSV sniffer: a numbered pipeline over the start of the file that returns a plain result.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.hpp"
#include "csv/sample_parser.hpp"
#include "csv/type_sniffer.hpp"

namespace pgmonkey::csv {

// At least this much (or 100 records, whichever is more) is sniffed when the file has it.
constexpr std::size_t kSniffSampleBytes = 256 * 1024;
constexpr std::size_t kSniffMinRecords = 100;

struct SniffOptions {
  Dialect given;  // what the user, the sidecar or the sep= line set; detection fills in the rest
  bool infer_types = false;
  NullRule nulls;  // what COPY will read as NULL, so that inference ignores exactly those
};

struct SniffResult {
  Dialect dialect;  // `given`, with the options it left open detected
  std::size_t field_count = 0;
  std::vector<std::string> header;        // the header row's fields (empty without a header)
  std::vector<Record> data;               // the sample's data records (header excluded)
  std::vector<ColumnType> types;          // with infer_types, else all text
  std::vector<std::string> tried;         // the candidates scored, for messages
  bool empty = false;                     // no records at all
  bool header_uncertain = false;          // detected, but the data could not tell (all text)
  long long unterminated_quote_line = 0;  // the first record never closes its quote
};

// 1. dialect (delimiter, quote) → 2. line ending → 3. header → 4. types.
// `whole` says the sample is the entire input.
SniffResult sniff(std::string_view sample, bool whole, const SniffOptions& options);

}  // namespace pgmonkey::csv
