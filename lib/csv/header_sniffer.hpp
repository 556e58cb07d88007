// Phase 2 of sniffing: is the first record a header?
#pragma once

#include <vector>

#include "csv/sample_parser.hpp"

namespace pgmonkey::csv {

struct HeaderGuess {
  bool header = true;
  bool certain = false;  // false: the data cannot tell (say so, and name --header/--no-header)
};

// The first record is data when one of its values has the type that column has in the other
// records (a number under numbers), or, in a one-record input, when a value is a number, date or
// timestamp (headers are names). It is a header, for certain, when a column's other values have
// a type its first value lacks. When every column is text, a header is assumed, uncertainly.
HeaderGuess sniff_header(const std::vector<Record>& records);

}  // namespace pgmonkey::csv
