// Catalog lookups for the relation a name means; identifiers only ever travel as parameters.
#include "transfer/relation.hpp"

#include <pqxx/result>
#include <pqxx/transaction_base>

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/connection.hpp"

namespace pgmonkey::transfer {
namespace {

std::optional<Relation> lookup(pqxx::transaction_base& tx, const std::string& qualified) {
  auto r = db::exec_params(tx,
                           "SELECT c.oid::text, n.nspname, c.relname, c.relkind::text "
                           "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.oid = pg_catalog.to_regclass($1)",
                           qualified);
  if (r.empty()) return std::nullopt;
  Relation t;
  t.exists = true;
  t.oid = r[0][0].c_str();
  t.schema = r[0][1].c_str();
  t.name = r[0][2].c_str();
  t.relkind = r[0][3].c_str()[0];
  auto cols =
      db::exec_params(tx,
                      "SELECT attname, pg_catalog.format_type(atttypid, atttypmod), attgenerated <> '', attnotnull "
                      "FROM pg_catalog.pg_attribute "
                      "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                      t.oid);
  for (const auto& row : cols)
    t.columns.push_back({row[0].c_str(), row[1].c_str(), row[2].as<bool>(), row[3].as<bool>()});
  // A check that uses an operator, function or type outside the built-in ones (a user's `>` in
  // a schema before pg_catalog prints as a plain `>`) depends on it in pg_depend: its definition
  // is left out (the built-in ones are pinned, with no such entries).
  auto checks = db::exec_params(tx,
                                "SELECT c.conname, pg_catalog.pg_get_constraintdef(c.oid), EXISTS ("
                                "SELECT 1 FROM pg_catalog.pg_depend d "
                                "WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass "
                                "AND d.objid = c.oid AND d.refclassid <> 'pg_catalog.pg_class'::pg_catalog.regclass) "
                                "FROM pg_catalog.pg_constraint c "
                                "WHERE c.conrelid = $1::oid AND c.contype = 'c' ORDER BY c.conname",
                                t.oid);
  for (const auto& row : checks)
    t.checks.push_back({row[0].c_str(), row[2].as<bool>() ? std::string() : std::string(row[1].c_str())});
  // tgtype bits: 1 row, 2 before, 4 insert.
  auto triggers = db::exec_params(tx,
                                  "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = $1::oid "
                                  "AND tgenabled <> 'D' AND (tgtype & 7) = 7)",
                                  t.oid);
  t.before_insert_row_triggers = triggers[0][0].as<bool>();
  return t;
}

}  // namespace

std::vector<std::string> Relation::column_names() const {
  std::vector<std::string> out;
  for (const auto& c : columns) out.push_back(c.name);
  return out;
}

Relation find_relation(pqxx::transaction_base& tx, const TableName& name) {
  for (const auto& spelling : {name.quoted_as_written(), name.quoted()})
    if (auto t = lookup(tx, spelling)) {
      t->sql_name = spelling;
      return *t;
    }
  Relation missing;
  missing.sql_name = name.quoted();
  missing.schema = name.schema;
  missing.name = name.table;
  if (missing.schema.empty()) {
    auto s = tx.exec("SELECT pg_catalog.current_schema()");
    if (!s[0][0].is_null()) missing.schema = s[0][0].c_str();
  }
  auto r = db::exec_params(
      tx,
      "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r','v','m','f','p') AND n.nspname NOT IN ('pg_catalog','information_schema') "
      "AND ($1 = '' OR n.nspname = $1)",
      name.schema_as_written);
  for (const auto& row : r) missing.nearby.emplace_back(row[0].c_str());
  return missing;
}

std::string missing_relation_hint(const Relation& r, const TableName& name) {
  std::string guess = core::did_you_mean(name.table_as_written, r.nearby);
  return guess.empty() ? "check the name and the schema (schema.table)" : "did you mean " + guess + "?";
}

std::vector<std::string> match_columns(const std::vector<std::string>& wanted, const std::vector<std::string>& all,
                                       const std::string& flag, const std::string& table) {
  std::vector<std::string> out;
  for (const auto& w : wanted) {
    std::string found;
    for (const auto& a : all)
      if (a == w) found = a;
    if (found.empty()) {
      int hits = 0;
      for (const auto& a : all)
        if (core::to_lower(a) == core::to_lower(w)) {
          found = a;
          ++hits;
        }
      if (hits != 1) found.clear();
    }
    if (found.empty()) {
      std::string guess = core::did_you_mean(w, all);
      throw UsageError(flag + ": " + table + " has no column " + w,
                       guess.empty() ? "its columns are: " + core::join(all, ", ") : "did you mean " + guess + "?");
    }
    if (std::find(out.begin(), out.end(), found) != out.end())
      throw UsageError(flag + ": column " + found + " is named more than once");
    out.push_back(found);
  }
  return out;
}

std::vector<std::string> split_column_list(const std::string& list, const std::string& what) {
  // Names are separated by commas; a "double-quoted" name is taken exactly (commas, spaces, ""
  // for a quote), as in SQL.
  std::vector<std::string> out;
  std::size_t i = 0;
  const std::size_t n = list.size();
  auto skip_spaces = [&] {
    while (i < n && std::isspace(static_cast<unsigned char>(list[i]))) ++i;
  };
  for (;;) {
    skip_spaces();
    std::string name;
    if (i < n && list[i] == '"') {
      bool closed = false;
      for (++i; i < n; ++i) {
        if (list[i] != '"') {
          name += list[i];
        } else if (i + 1 < n && list[i + 1] == '"') {
          name += '"';
          ++i;
        } else {
          closed = true;
          ++i;
          break;
        }
      }
      if (!closed) throw UsageError(what + " has an unclosed double quote: '" + list + "'");
      skip_spaces();
      if (i < n && list[i] != ',') throw UsageError(what + ": expected a comma after the quoted name \"" + name + "\"");
    } else {
      auto comma = list.find(',', i);
      name = core::trim(list.substr(i, comma == std::string::npos ? std::string::npos : comma - i));
      i = comma == std::string::npos ? n : comma;
    }
    if (name.empty()) throw UsageError(what + " has an empty column name: '" + list + "'");
    out.push_back(name);
    if (i >= n) return out;
    ++i;  // the comma
  }
}

}  // namespace pgmonkey::transfer
