// `[schema.]table` as the user wrote it, split with SQL's quoting rules.
#pragma once

#include <string>

namespace pgmonkey::transfer {

struct TableName {
  std::string schema;  // as SQL reads it: unquoted parts folded to lower case; empty: search_path
  std::string table;
  std::string schema_as_written;  // quotes removed and "" undone, case kept (Orders stays Orders)
  std::string table_as_written;

  // "schema"."table" (or "table") with every part quoted, as SQL reads the name.
  std::string quoted() const;
  // The same, spelt as written: for a lookup that tries the exact spelling before the folded one.
  std::string quoted_as_written() const;
  // schema.table for messages.
  std::string display() const;
};

// What an unquoted part may hold.
enum class UnquotedParts {
  identifiers,  // plain identifiers only (letters, digits, _, $; not starting with a digit)
  anything,     // any character but '.' and '"': for names only ever looked up, always quoted
};

// Unquoted parts are folded to lower case; "quoted" parts keep their case and may hold anything,
// with "" for a quote, including dots. A name is one part or schema.table. Throws UsageError
// otherwise, so no name can smuggle in SQL.
TableName parse_table_name(const std::string& text, UnquotedParts unquoted = UnquotedParts::identifiers);

}  // namespace pgmonkey::transfer
