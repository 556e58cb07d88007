// Header detection by comparing the first record's types with the rest's.
#include "csv/header_sniffer.hpp"

#include "csv/type_sniffer.hpp"

namespace pgmonkey::csv {

bool looks_like_header(const std::vector<Record>& records) {
  if (records.size() < 2) return true;
  const Record& first = records.front();
  std::vector<Record> rest(records.begin() + 1, records.end());
  auto types = infer_types(rest, first.size());
  for (std::size_t c = 0; c < first.size(); ++c) {
    if (types[c] == ColumnType::text || first[c].text.empty()) continue;
    if (value_fits(types[c], first[c].text)) return false;
  }
  return true;
}

}  // namespace pgmonkey::csv
