// Lists the tables -t/--table can name, as the user would type them.
#include "db/table_names.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>

namespace pgmonkey::db {

std::vector<std::string> visible_table_names(Connection& conn) {
  pqxx::nontransaction tx(conn, "table_names");
  auto rows = tx.exec(
      "SELECT CASE WHEN pg_catalog.pg_table_is_visible(c.oid) THEN pg_catalog.quote_ident(c.relname) "
      "ELSE pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) END "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
      "AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' "
      "AND pg_catalog.has_table_privilege(c.oid, 'SELECT') ORDER BY 1");
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (pqxx::result::size_type i = 0; i < rows.size(); ++i) out.emplace_back(rows[i][0].c_str());
  return out;
}

}  // namespace pgmonkey::db
