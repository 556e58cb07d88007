// Phase 1 of sniffing: which delimiter and quote make the sample a consistent table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.hpp"
#include "csv/sample_parser.hpp"

namespace pgmonkey::csv {

struct DialectCandidate {
  char delimiter = ',';
  char quote = '"';
  ParsedSample parsed;
  std::size_t field_count = 0;  // the most common number of fields per record
  double consistency = 0;       // share of records with that many fields
  bool usable = false;          // parsed without an unterminated quote and found records

  // Ranking: more than one column, then consistency, then more columns.
  bool better_than(const DialectCandidate& other) const;
  std::string summary() const;  // for "what was tried"
};

struct DialectGuess {
  DialectCandidate best;
  std::vector<std::string> tried;
};

// Tries every candidate (only the user's delimiter / quote when set). Records are capped at
// `max_records` to keep sniffing cheap on wide samples.
DialectGuess sniff_dialect(std::string_view sample, bool whole, const Option<char>& delimiter,
                           const Option<char>& quote, std::size_t max_records = 2000);

}  // namespace pgmonkey::csv
