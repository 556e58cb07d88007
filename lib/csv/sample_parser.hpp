// Parses the start of a file into fields, with PostgreSQL's CSV rules, for the sniffer.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.hpp"

namespace pgmonkey::csv {

struct Field {
  std::string text;
  bool quoted = false;  // an unquoted empty field is NULL for COPY; "" is an empty string
};
using Record = std::vector<Field>;

struct ParsedSample {
  std::vector<Record> records;            // blank lines skipped
  std::vector<long long> lines;           // the line (1-based, from the sample start) each record starts on
  std::size_t bytes_used = 0;             // through the end of the last complete record
  bool cut = false;                       // a record ran past the end of the sample and was left out
  bool unterminated_quote = false;        // with `whole`: a quote was still open at the end
  std::optional<LineEnding> line_ending;  // of the first record
};

// Like COPY's CSV mode: a quote anywhere opens a quoted section, a doubled quote inside one is
// a literal quote, delimiters and line breaks inside quotes are data. `whole` says the text is
// the entire input, so a last line without a line break is a record.
ParsedSample parse_sample(std::string_view text, char delimiter, char quote, bool whole,
                          std::size_t max_records = std::numeric_limits<std::size_t>::max());

}  // namespace pgmonkey::csv
