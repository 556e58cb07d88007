// Catalog lookups and the SQL text for the load; identifiers and literals only through db/quote.
#include "transfer/table_plan.hpp"

#include <pqxx/result>
#include <pqxx/transaction_base>

#include <map>
#include <set>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "csv/header_names.hpp"
#include "db/connection.hpp"
#include "db/quote.hpp"

namespace pgmonkey::transfer {
TargetTable resolve_table(pqxx::transaction_base& tx, const TableName& name) {
  TargetTable t;
  auto r = db::exec_params(
      tx,
      "SELECT c.oid::bigint, n.nspname, c.relname, c.relkind::text FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_catalog.to_regclass($1)",
      name.quoted());
  if (r.empty()) {
    std::string schema = name.schema;
    if (schema.empty()) {
      auto s = tx.exec("SELECT pg_catalog.current_schema()");
      if (s[0][0].is_null())
        throw JobError("table " + name.display() + " does not exist and search_path names no schema to create it in",
                       {}, "qualify the name: --table schema.table");
      schema = s[0][0].c_str();
    }
    t.display = schema + "." + name.table;
    return t;
  }
  std::string kind = r[0][3].c_str();
  t.display = std::string(r[0][1].c_str()) + "." + r[0][2].c_str();
  if (kind != "r" && kind != "p")
    throw JobError(t.display + " is not a table (relkind '" + kind + "'); COPY can only load tables");
  t.exists = true;
  auto cols =
      db::exec_params(tx,
                      "SELECT attname, pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
                      "WHERE attrelid = $1::bigint::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                      r[0][0].as<long long>());
  for (const auto& row : cols) t.columns.push_back({row[0].c_str(), row[1].c_str()});
  return t;
}

bool names_table_columns(const std::vector<std::string>& row, const TargetTable& table) {
  std::vector<std::string> names;
  for (const auto& c : table.columns) names.push_back(c.name);
  // Exact or case-insensitive only: normalising would let data such as 1,2 name col_1, col_2.
  std::set<std::size_t> taken;
  for (const auto& field : row) {
    auto m = csv::match_column(field, names, false);
    if (!m || !taken.insert(*m).second) return false;
  }
  return !row.empty();
}

std::vector<std::size_t> match_header(const std::vector<std::string>& header, const TargetTable& table,
                                      const std::string& source) {
  std::vector<std::string> names;
  for (const auto& c : table.columns) names.push_back(c.name);
  std::vector<std::size_t> out;
  std::map<std::size_t, std::string> taken;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto& field = header[i];
    // An empty header field names nothing (Excel adds them for trailing ;;); never guess one.
    if (core::trim(field).empty())
      throw JobError(source + ": header column " + std::to_string(i + 1) + " is empty, so it matches no column of " +
                         table.display,
                     {},
                     "remove the empty columns from the file (spreadsheets add them after the last one), "
                     "or import into a new table, where it becomes col_" +
                         std::to_string(i + 1));
    auto m = csv::match_column(field, names);
    if (!m) {
      std::string dym = core::did_you_mean(field, names);
      if (dym.empty()) dym = core::did_you_mean(csv::normalise_names({field}, true).front(), names);
      throw JobError(
          source + ": header column '" + field + "' has no column in " + table.display,
          "table columns: " + core::join(names, ", "),
          dym.empty() ? "rename the header field, or add the column to the table" : "did you mean '" + dym + "'?");
    }
    if (taken.count(*m))
      throw JobError(source + ": header columns '" + taken[*m] + "' and '" + field + "' both name column " + names[*m] +
                     " of " + table.display);
    taken[*m] = field;
    out.push_back(*m);
  }
  return out;
}

std::string create_table_sql(const TableName& name, const std::vector<std::string>& columns,
                             const std::vector<csv::ColumnType>& types) {
  std::vector<std::string> defs;
  for (std::size_t i = 0; i < columns.size(); ++i)
    defs.push_back(db::quote_ident(columns[i]) + " " +
                   csv::sql_name(i < types.size() ? types[i] : csv::ColumnType::text));
  return "CREATE TABLE " + name.quoted() + " (" + core::join(defs, ", ") + ")";
}

std::string copy_sql(const TableName& name, const std::vector<std::string>& columns, const CopyFlags& f) {
  std::string sql = "COPY " + name.quoted() + " (" + db::quote_ident_list(columns) + ") FROM STDIN WITH (FORMAT csv";
  sql += ", DELIMITER " + db::quote_literal(std::string(1, f.delimiter));
  sql += ", QUOTE " + db::quote_literal(std::string(1, f.quote));
  sql += ", ESCAPE " + db::quote_literal(std::string(1, f.quote));
  if (f.has_null_string) sql += ", NULL " + db::quote_literal(f.null_string);
  if (!f.force_null.empty()) sql += ", FORCE_NULL (" + db::quote_ident_list(f.force_null) + ")";
  if (!f.force_not_null.empty()) sql += ", FORCE_NOT_NULL (" + db::quote_ident_list(f.force_not_null) + ")";
  sql += ", ENCODING 'UTF8')";
  return sql;
}

}  // namespace pgmonkey::transfer
