// `[schema.]table` as the user wrote it, split with SQL's quoting rules.
#pragma once

#include <string>

namespace pgmonkey::transfer {

struct TableName {
  std::string schema;  // empty: resolve through search_path
  std::string table;

  // "schema"."table" (or "table") with every part quoted.
  std::string quoted() const;
  // schema.table for messages.
  std::string display() const;
};

// Unquoted parts are folded to lower case and must be plain identifiers (letters, digits, _,
// $; not starting with a digit); "quoted" parts keep their case and may hold anything, with ""
// for a quote, including dots. Throws UsageError otherwise, so no name can smuggle in SQL.
TableName parse_table_name(const std::string& text);

}  // namespace pgmonkey::transfer
