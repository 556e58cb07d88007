// The catalog query and the run locks behind --recover and the stale-leftover warning.
#include "transfer/leftovers_query.hpp"

#include <pqxx/nontransaction>

namespace pgmonkey::transfer {
namespace {

// The LIKE prefixes only narrow the scan; parse_gid and parse_hidden_table_name decide.
constexpr const char* kLeftoversQuery =
    "SELECT 'database', pg_catalog.current_database()::text, '', ''"
    " UNION ALL "
    "SELECT 'prepared', x.gid, x.owner::text, x.database::text"
    "  FROM pg_catalog.pg_prepared_xacts x WHERE x.gid LIKE 'pgmonkey-pgimport:%'"
    " UNION ALL "
    "SELECT 'table', c.relname::text, pg_catalog.pg_get_userbyid(c.relowner)::text, n.nspname::text"
    "  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relname LIKE 'pgmonkey\\_load\\_%' AND c.relkind IN ('r', 'p') AND c.relpersistence <> 't'";

}  // namespace

Leftovers read_leftovers(db::Connection& conn) {
  std::string database;
  std::vector<PreparedXactRow> xacts;
  std::vector<HiddenTableRow> tables;
  {
    pqxx::nontransaction tx(conn, "leftovers");
    for (const auto& row : tx.exec(kLeftoversQuery)) {
      const std::string kind = row[0].c_str();
      if (kind == "database")
        database = row[1].c_str();
      else if (kind == "prepared")
        xacts.push_back({row[1].c_str(), row[2].c_str(), row[3].c_str()});
      else
        tables.push_back({row[3].c_str(), row[1].c_str(), row[2].c_str()});
    }
  }
  return group_leftovers(database, xacts, tables);
}

bool try_lock_run(db::Connection& conn, const LoadRun& run) {
  const auto [k1, k2] = run_lock_key(run);
  pqxx::nontransaction tx(conn, "run_lock");
  return db::exec_params(tx, "SELECT pg_catalog.pg_try_advisory_lock($1, $2)", k1, k2)[0][0].as<bool>();
}

void unlock_run(db::Connection& conn, const LoadRun& run) {
  const auto [k1, k2] = run_lock_key(run);
  pqxx::nontransaction tx(conn, "run_unlock");
  db::exec_params(tx, "SELECT pg_catalog.pg_advisory_unlock($1, $2)", k1, k2);
}

Leftovers find_leftovers(db::Connection& conn) {
  Leftovers found = read_leftovers(conn);
  for (auto& r : found.runs) {
    r.alive = !try_lock_run(conn, r.run);
    if (!r.alive) unlock_run(conn, r.run);
  }
  return found;
}

}  // namespace pgmonkey::transfer
