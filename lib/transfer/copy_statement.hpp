// The one COPY builder for both directions: the options from the dialect, every name and value
// quoted through db/quote.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "csv/dialect.hpp"

namespace pgmonkey::transfer {

enum class CopyDirection { from_stdin, to_stdout };

// COPY's CSV options. HEADER is written only for TO: on the way in the record scanner drops
// the header itself (it must see it to count lines).
struct CopyFormat {
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  std::optional<std::string> null_string;   // nullopt: COPY's default, an unquoted empty field
  std::vector<std::string> force_quote;     // TO: column names, or {"*"}
  std::vector<std::string> force_null;      // FROM: columns
  std::vector<std::string> force_not_null;  // FROM: columns
  std::string encoding = "UTF8";            // the bytes on the wire

  static CopyFormat of(const csv::Dialect& d);
};

// "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ..., ENCODING 'UTF8'"
std::string copy_options(const CopyFormat& f, CopyDirection direction);

// COPY "schema"."table" (cols) FROM STDIN WITH (...)
std::string copy_from_sql(const std::string& quoted_table, const std::vector<std::string>& columns,
                          const CopyFormat& f);

// The relation to copy out, as found in the catalog.
struct CopyRelation {
  std::string schema;
  std::string table;
  char relkind = 'r';                // views, materialized views, foreign and partitioned tables need a query
  std::vector<std::string> columns;  // chosen columns in order; empty: all, in table order
  bool lists_generated = false;      // `columns` names a generated column, which COPY t (cols) refuses
};

// COPY ... TO STDOUT WITH (...), through a query where COPY cannot read the relation directly.
std::string copy_to_sql(const CopyRelation& source, const CopyFormat& f);

}  // namespace pgmonkey::transfer
