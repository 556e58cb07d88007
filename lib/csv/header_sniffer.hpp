// Phase 2 of sniffing: is the first record a header?
#pragma once

#include <vector>

#include "csv/sample_parser.hpp"

namespace pgmonkey::csv {

// A header is assumed unless the data says otherwise: when some column's values (records
// after the first) have a type other than text and the first record's value has that type
// too, the first record is data.
bool looks_like_header(const std::vector<Record>& records);

}  // namespace pgmonkey::csv
