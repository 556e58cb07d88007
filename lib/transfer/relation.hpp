// The one relation resolver both tools use: the table (or view) a name means, its columns, a
// did-you-mean when it is missing, and matching user-given column names against it.
#pragma once

#include <string>
#include <vector>

#include "transfer/table_name.hpp"

namespace pqxx {
class transaction_base;
}

namespace pgmonkey::transfer {

struct RelationColumn {
  std::string name;
  std::string type;  // format_type(), e.g. "integer", "character varying(20)"
  bool generated = false;
  bool not_null = false;
};

// A CHECK constraint as pg_get_constraintdef() spells it; empty when it uses anything but
// built-in operators, functions and types.
struct RelationCheck {
  std::string name;
  std::string definition;
};

// Catalog facts about a relation; plain data so planning can be tested without a server.
struct Relation {
  bool exists = false;
  std::string oid;
  std::string schema;  // as the catalog spells it; for a missing one, the schema it would be created in
  std::string name;
  char relkind = 'r';  // r table, p partitioned, v view, m materialized view, f foreign table
  std::vector<RelationColumn> columns;
  std::vector<RelationCheck> checks;        // by name, the order the server tries them in
  bool before_insert_row_triggers = false;  // enabled ones: they may change a row before its checks
  std::vector<std::string> nearby;          // for a missing one: relations in its schema (did-you-mean)
  std::string sql_name;  // the name as statements spell it: the spelling that was found, or the folded one

  std::string display() const { return schema + "." + name; }
  std::vector<std::string> column_names() const;
};

// Looks `name` up as written first (-t Orders finds "Orders"), then folded the way SQL folds
// unquoted names, which is also the name a new table gets. For a missing relation `schema` is
// where an unqualified name would be created (empty when search_path names no schema).
Relation find_relation(pqxx::transaction_base& tx, const TableName& name);

// "did you mean X?" for a missing relation, or a generic hint.
std::string missing_relation_hint(const Relation& r, const TableName& name);

// Each requested name matched exactly, else case-insensitively when that is unambiguous.
// Throws UsageError naming `flag` with a did-you-mean, or for a name given twice.
std::vector<std::string> match_columns(const std::vector<std::string>& wanted, const std::vector<std::string>& all,
                                       const std::string& flag, const std::string& table);

// "a, b,c" -> {"a","b","c"}; a "double-quoted" name is taken exactly (commas, spaces, "" for a
// quote). Throws UsageError on an empty name or an unclosed quote.
std::vector<std::string> split_column_list(const std::string& list, const std::string& what);

}  // namespace pgmonkey::transfer
