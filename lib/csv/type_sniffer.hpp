// Column type inference for new tables: the candidates, in order, are data; the first that
// fits every non-empty value of a column wins.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csv/sample_parser.hpp"

namespace pgmonkey::csv {

enum class ColumnType { boolean, bigint, numeric, date, timestamp, timestamptz, text };

const char* sql_name(ColumnType t);
// Candidates tried for each column, most specific first; text always fits.
const std::vector<ColumnType>& candidate_types();
// Whether PostgreSQL would accept `value` as `t` in the forms we recognise. Numbers with a
// leading zero (zip codes, ids like 007) do not count as numbers, so they stay text.
bool value_fits(ColumnType t, std::string_view value);

// Which fields COPY will load as NULL: an unquoted field equal to null_string (COPY's default:
// empty) and, with empty_as_null (FORCE_NULL), a quoted empty one too.
struct NullRule {
  std::string null_string;
  bool empty_as_null = false;
  std::vector<std::string> force_not_null;  // header names whose unquoted empty field is ''
  std::vector<bool> keep_empty;             // per column, from force_not_null and the header
  bool is_null(const Field& f, std::size_t column) const;
};

// One type per column, from `records` (the header row excluded); NULLs are ignored, every other
// value must fit (a quoted "" is an empty string, which only text takes).
std::vector<ColumnType> infer_types(const std::vector<Record>& records, std::size_t columns,
                                    const NullRule& nulls = {});

}  // namespace pgmonkey::csv
