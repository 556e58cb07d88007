// The target table: does it exist, what columns it has, and how the file's columns map onto it.
#pragma once

#include <pqxx/transaction_base>

#include <string>
#include <vector>

#include "csv/type_sniffer.hpp"
#include "transfer/table_name.hpp"

namespace pgmonkey::transfer {

struct TableColumn {
  std::string name;
  std::string type;
};

struct TargetTable {
  bool exists = false;
  std::string display;  // schema.table as the server names it (or as it will be created)
  std::vector<TableColumn> columns;
};

// Looks the name up the way PostgreSQL would (search_path for an unqualified name); a missing
// table is reported with the schema it would be created in. Throws JobError for a view or other
// relation kind that COPY cannot load.
TargetTable resolve_table(pqxx::transaction_base& tx, const TableName& name);

// True when every field of `row` names a different column of `table`, exactly or but for case:
// such a first row is the header, even when its names look like data ("2023").
bool names_table_columns(const std::vector<std::string>& row, const TargetTable& table);

// Header fields → existing columns by name (any order). Throws JobError naming a field with no
// column (with a did-you-mean) or two fields naming one column.
std::vector<std::size_t> match_header(const std::vector<std::string>& header, const TargetTable& table,
                                      const std::string& source);

// CREATE TABLE for new columns (every identifier quoted).
std::string create_table_sql(const TableName& name, const std::vector<std::string>& columns,
                             const std::vector<csv::ColumnType>& types);

struct CopyFlags {
  char delimiter = ',';
  char quote = '"';
  std::string null_string;  // empty: COPY's default (unquoted empty field)
  bool has_null_string = false;
  std::vector<std::string> force_null;      // columns
  std::vector<std::string> force_not_null;  // columns
};

// COPY t (cols) FROM STDIN WITH (FORMAT csv, ..., ENCODING 'UTF8'): the data is always UTF-8 by then.
std::string copy_sql(const TableName& name, const std::vector<std::string>& columns, const CopyFlags& flags);

}  // namespace pgmonkey::transfer
