// COPY statement text.
#include "transfer/copy_statement.hpp"

#include "core/strings.hpp"
#include "db/quote.hpp"

namespace pgmonkey::transfer {

CopyFormat CopyFormat::of(const csv::Dialect& d) {
  CopyFormat f;
  f.delimiter = d.delimiter.value;
  f.quote = d.quote.value;
  f.header = d.header.value;
  f.null_string = d.null_string;
  return f;
}

std::string copy_options(const CopyFormat& f, CopyDirection direction) {
  const bool to = direction == CopyDirection::to_stdout;
  std::vector<std::string> opts{"FORMAT csv"};
  if (to) opts.push_back(std::string("HEADER ") + (f.header ? "true" : "false"));
  opts.push_back("DELIMITER " + db::quote_literal(std::string(1, f.delimiter)));
  opts.push_back("QUOTE " + db::quote_literal(std::string(1, f.quote)));
  if (!to) opts.push_back("ESCAPE " + db::quote_literal(std::string(1, f.quote)));
  if (f.null_string) opts.push_back("NULL " + db::quote_literal(*f.null_string));
  if (to && f.force_quote == std::vector<std::string>{"*"})
    opts.push_back("FORCE_QUOTE *");
  else if (to && !f.force_quote.empty())
    opts.push_back("FORCE_QUOTE (" + db::quote_ident_list(f.force_quote) + ")");
  if (!to && !f.force_null.empty()) opts.push_back("FORCE_NULL (" + db::quote_ident_list(f.force_null) + ")");
  if (!to && !f.force_not_null.empty())
    opts.push_back("FORCE_NOT_NULL (" + db::quote_ident_list(f.force_not_null) + ")");
  opts.push_back("ENCODING " + db::quote_literal(f.encoding));
  return core::join(opts, ", ");
}

std::string copy_from_sql(const std::string& quoted_table, const std::vector<std::string>& columns,
                          const CopyFormat& f) {
  return "COPY " + quoted_table + " (" + db::quote_ident_list(columns) + ") FROM STDIN WITH (" +
         copy_options(f, CopyDirection::from_stdin) + ")";
}

std::string copy_to_sql(const CopyRelation& source, const CopyFormat& f) {
  std::string relation = db::quote_qualified(source.schema, source.table);
  std::string cols = db::quote_ident_list(source.columns);
  std::string what;
  if (source.relkind == 'r' && !source.lists_generated) {
    what = relation;
    if (!cols.empty()) what += " (" + cols + ")";
  } else {
    // COPY reads only plain tables and no generated columns; the rest goes through a query
    // with the same output.
    // A plain table's query reads it ONLY, as COPY t does (no inheritance children); a
    // partitioned table's reads its partitions.
    what = "(SELECT " + (cols.empty() ? std::string("*") : cols) + (source.relkind == 'r' ? " FROM ONLY " : " FROM ") +
           relation + ")";
  }
  return "COPY " + what + " TO STDOUT WITH (" + copy_options(f, CopyDirection::to_stdout) + ")";
}

}  // namespace pgmonkey::transfer
