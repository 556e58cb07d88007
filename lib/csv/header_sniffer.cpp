// Header detection by comparing the first record's types with the rest's.
#include "csv/header_sniffer.hpp"

#include "csv/type_sniffer.hpp"

namespace pgmonkey::csv {
namespace {

// A value no one would use as a column name.
bool looks_like_data(const std::string& value) {
  for (ColumnType t :
       {ColumnType::bigint, ColumnType::numeric, ColumnType::date, ColumnType::timestamp, ColumnType::timestamptz})
    if (value_fits(t, value)) return true;
  return false;
}

}  // namespace

HeaderGuess sniff_header(const std::vector<Record>& records) {
  if (records.empty()) return {true, false};
  const Record& first = records.front();
  if (records.size() == 1) {
    for (const auto& f : first)
      if (!f.text.empty() && looks_like_data(f.text)) return {false, true};
    return {true, false};
  }
  std::vector<Record> rest(records.begin() + 1, records.end());
  auto types = infer_types(rest, first.size());
  bool typed_column = false;
  for (std::size_t c = 0; c < first.size(); ++c) {
    if (types[c] == ColumnType::text || first[c].text.empty()) continue;
    if (value_fits(types[c], first[c].text)) return {false, true};
    typed_column = true;
  }
  return {true, typed_column};
}

}  // namespace pgmonkey::csv
