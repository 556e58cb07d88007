// Planning the load: the header rule, column matching or naming, and the SQL, from facts only.
#include "transfer/import_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "csv/header_names.hpp"
#include "db/quote.hpp"
#include "transfer/copy_statement.hpp"

namespace pgmonkey::transfer {
namespace {

// True when every field of `row` names a different column of `table`, exactly or but for case:
// such a first row is the header, even when its names look like data ("2023").
bool names_table_columns(const std::vector<std::string>& row, const Relation& table) {
  auto names = table.column_names();
  // Exact or case-insensitive only: normalising would let data such as 1,2 name col_1, col_2.
  std::set<std::size_t> taken;
  for (const auto& field : row) {
    auto m = csv::match_column(field, names, false);
    if (!m || !taken.insert(*m).second) return false;
  }
  return !row.empty();
}

// The column a header field names: exact, then but for case; then by our normalised name or by
// the one the Python pgmonkey would have created (`Full  Name` -> full__name), when only one of
// the two finds a column. A match through pgmonkey's naming is said in `notes`.
std::optional<std::size_t> match_field(const std::string& field, const std::vector<std::string>& names,
                                       const std::string& source, std::vector<std::string>& notes) {
  if (auto m = csv::match_column(field, names, false)) return m;
  auto ours = csv::match_column(field, names);
  const std::string theirs_name = csv::pgmonkey_name(field);
  std::optional<std::size_t> theirs;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == theirs_name) theirs = i;
  if (ours && theirs && *ours != *theirs)
    throw JobError(
        source + ": header column '" + field + "' could mean column " + names[*ours] + " or " + names[*theirs], {},
        "rename the header field to the column's exact name");
  if (theirs && !ours)
    notes.push_back("header column '" + field + "' goes to column " + theirs_name + " (pgmonkey's naming)");
  return ours ? ours : theirs;
}

// Header fields → existing columns by name (any order).
std::vector<std::size_t> match_header(const std::vector<std::string>& header, const Relation& table,
                                      const std::string& source, std::vector<std::string>& notes) {
  auto names = table.column_names();
  std::vector<std::size_t> out;
  std::map<std::size_t, std::string> taken;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto& field = header[i];
    // An empty header field names nothing (Excel adds them for trailing ;;); never guess one.
    if (core::trim(field).empty())
      throw JobError(source + ": header column " + std::to_string(i + 1) + " is empty, so it matches no column of " +
                         table.display(),
                     {},
                     "remove the empty columns from the file (spreadsheets add them after the last one), "
                     "or import into a new table, where it becomes col_" +
                         std::to_string(i + 1));
    auto m = match_field(field, names, source, notes);
    if (!m) {
      std::string dym = core::did_you_mean(field, names);
      if (dym.empty()) dym = core::did_you_mean(csv::normalise_names({field}, true).front(), names);
      throw JobError(
          source + ": header column '" + field + "' has no column in " + table.display(),
          "table columns: " + core::join(names, ", "),
          dym.empty() ? "rename the header field, or add the column to the table" : "did you mean '" + dym + "'?");
    }
    if (taken.count(*m))
      throw JobError(source + ": header columns '" + taken[*m] + "' and '" + field + "' both name column " + names[*m] +
                     " of " + table.display());
    taken[*m] = field;
    out.push_back(*m);
  }
  return out;
}

// A spreadsheet's trailing delimiter (`a,b,` and every value of that column empty in the sample):
// the empty header fields at the end name nothing and are not loaded; the record scanner drops
// them from every record and stops at the first value there.
void drop_trailing_empty_fields(std::vector<std::string>& header, const csv::SniffResult& sniffed, ImportPlan& plan) {
  std::size_t n = 0;
  while (n + 1 < header.size() && core::trim(header[header.size() - 1 - n]).empty()) ++n;
  if (n == 0) return;
  for (const auto& row : sniffed.data)
    for (std::size_t i = header.size() - n; i < row.size(); ++i)
      if (!row[i].text.empty() || row[i].quoted) return;  // values there: the empty header is an error
  header.resize(header.size() - n);
  plan.drop_trailing_fields = n;
  plan.warnings.push_back(
      fmt::format("the last {} header field{} empty, like {} value{} in the sample: taken for a "
                  "trailing delimiter and not loaded",
                  n, n == 1 ? " is" : "s are", n == 1 ? "its" : "their", n == 1 ? "" : "s"));
}

// Into an existing table, an unquoted empty field for a NOT NULL text column loads as '' rather
// than failing the whole import on a NULL (what pgmonkey's imports expect); said in the plan.
std::vector<std::string> not_null_text_columns(const std::vector<ColumnPlan>& columns, const Relation& target) {
  std::vector<std::string> out;
  for (const auto& c : columns)
    for (const auto& t : target.columns)
      if (t.name == c.column && t.not_null &&
          (t.type == "text" || core::starts_with(t.type, "character") || t.type == "citext"))
        out.push_back(t.name);
  return out;
}

std::vector<std::string> target_names(const std::vector<ColumnPlan>& columns) {
  std::vector<std::string> out;
  for (const auto& c : columns) out.push_back(c.column);
  return out;
}

// --force-not-null names: a file header field or a target column.
std::vector<std::string> resolve_force_not_null(const std::vector<std::string>& names,
                                                const std::vector<ColumnPlan>& columns) {
  std::vector<std::string> fields, targets, out;
  for (const auto& c : columns) fields.push_back(c.field), targets.push_back(c.column);
  for (const auto& raw : names) {
    for (const auto& n : core::split(raw, ',')) {
      std::string name = core::trim(n);
      if (name.empty()) continue;
      auto m = csv::match_column(name, targets);
      if (!m) m = csv::match_column(name, fields);
      if (!m) {
        std::string dym = core::did_you_mean(name, targets);
        throw UsageError("--force-not-null: no column '" + name + "' in the import",
                         dym.empty() ? "columns: " + core::join(targets, ", ") : "did you mean '" + dym + "'?");
      }
      out.push_back(targets[*m]);
    }
  }
  return out;
}

}  // namespace

std::string create_table_sql(const std::string& table, const std::vector<std::string>& columns,
                             const std::vector<csv::ColumnType>& types) {
  std::vector<std::string> defs;
  for (std::size_t i = 0; i < columns.size(); ++i)
    defs.push_back(db::quote_ident(columns[i]) + " " +
                   csv::sql_name(i < types.size() ? types[i] : csv::ColumnType::text));
  return "CREATE TABLE " + table + " (" + core::join(defs, ", ") + ")";
}

ImportPlan plan_import(const ImportOptions& o, const FileFacts& file, const Relation& target) {
  const auto& sniffed = file.sniffed;
  ImportPlan plan;
  plan.source = file.source;
  plan.size = file.size;
  plan.encoding = file.encoding;
  plan.transcoding = file.transcoding;
  plan.sidecar = file.sidecar;
  plan.dialect = sniffed.dialect;
  plan.fields = sniffed.field_count;
  csv::check_dialect(plan.dialect);
  if (target.exists && target.relkind != 'r' && target.relkind != 'p')
    throw JobError(target.display() + " is not a table (relkind '" + std::string(1, target.relkind) +
                   "'); COPY can only load tables");

  std::vector<std::string> header = sniffed.header;
  if (!plan.dialect.header.value)
    for (std::size_t i = 0; i < sniffed.field_count; ++i) header.push_back("col_" + std::to_string(i + 1));
  if (target.exists && !plan.dialect.header.value && !plan.dialect.header.given() && !sniffed.data.empty()) {
    // "region,2023,2024" into a table with those columns: its header, though "2023" looks like data.
    std::vector<std::string> first;
    for (const auto& f : sniffed.data.front()) first.push_back(f.text);
    if (names_table_columns(first, target)) {
      plan.dialect.header = {true, csv::Source::detected};
      header = first;
      plan.warnings.push_back("the first row names the columns of " + target.display() +
                              ", so it is the header after all");
    }
  }
  if (!target.exists && target.schema.empty())
    throw JobError("table " + target.name + " does not exist and search_path names no schema to create it in", {},
                   "qualify the name: --table schema.table");
  plan.table = target.display();
  plan.truncate = o.truncate && target.exists;
  const bool rows_decide = target.exists && target.relkind == 'r' && !target.before_insert_row_triggers;
  if (rows_decide) plan.checks = target.checks;
  plan.relation_name = target.name;
  if (plan.truncate) plan.truncate_sql = "TRUNCATE " + target.sql_name;
  if (target.exists) {
    std::vector<std::size_t> idx;
    if (plan.dialect.header.value) {
      drop_trailing_empty_fields(header, sniffed, plan);
      idx = match_header(header, target, plan.source, plan.warnings);
    } else {
      if (header.size() > target.columns.size())
        throw JobError(fmt::format("{} has {} fields per row but {} has only {} columns", plan.source, header.size(),
                                   plan.table, target.columns.size()),
                       {}, "without a header, fields go to the table's columns in order");
      for (std::size_t i = 0; i < header.size(); ++i) idx.push_back(i);
    }
    std::vector<bool> used(target.columns.size(), false);
    for (std::size_t i = 0; i < header.size(); ++i) {
      plan.columns.push_back({header[i], target.columns[idx[i]].name, target.columns[idx[i]].type});
      used[idx[i]] = true;
    }
    for (std::size_t i = 0; i < used.size(); ++i)
      if (!used[i]) plan.table_columns_defaulted.push_back(target.columns[i].name);
  } else {
    if (!file.create)
      throw JobError("table " + plan.table + " does not exist", {},
                     o.create ? "create it first, or drop --no-create to let pgimport create it"
                              : "create it first, or set auto_create_table: true in " + file.sidecar);
    auto names = csv::normalise_names(header, file.lowercase);
    for (std::size_t i = 0; i < names.size(); ++i)
      plan.columns.push_back({header[i], names[i], csv::sql_name(sniffed.types[i])});
    plan.create = true;
    plan.ddl = create_table_sql(target.sql_name, names, sniffed.types);
  }
  CopyFormat format = CopyFormat::of(plan.dialect);
  if (o.empty_as_null) format.force_null = target_names(plan.columns);
  format.force_not_null = resolve_force_not_null(o.force_not_null, plan.columns);
  if (target.exists && !o.empty_as_null && !plan.dialect.null_string) {
    std::vector<std::string> added;
    for (const auto& c : not_null_text_columns(plan.columns, target))
      if (std::find(format.force_not_null.begin(), format.force_not_null.end(), c) == format.force_not_null.end())
        added.push_back(c);
    if (!added.empty())
      plan.warnings.push_back("NOT NULL text column" + std::string(added.size() == 1 ? " " : "s ") +
                              core::join(added, ", ") + ": an empty field loads as '' (FORCE_NOT_NULL)");
    format.force_not_null.insert(format.force_not_null.end(), added.begin(), added.end());
  }
  if (rows_decide)
    for (const auto& c : plan.columns)
      for (const auto& t : target.columns)
        if (t.name == c.column && t.not_null &&
            std::find(format.force_not_null.begin(), format.force_not_null.end(), c.column) ==
                format.force_not_null.end())
          plan.not_null_columns.push_back(c.column);
  plan.copy_sql = copy_from_sql(target.sql_name, target_names(plan.columns), format);
  return plan;
}

const char* to_string(LoadMethod method) {
  switch (method) {
    case LoadMethod::rename:
      return "rename";
    case LoadMethod::two_phase:
      return "two-phase";
    case LoadMethod::single:
      break;
  }
  return "single";
}

void plan_sessions(ImportPlan& plan, const Relation& target, const SessionFacts& facts) {
  plan.jobs = 1;
  plan.method = LoadMethod::single;
  if (facts.jobs <= 1) return;
  auto one_session = [&](const std::string& why) {
    plan.warnings.push_back(fmt::format("--jobs {}: {}; loading with one session in one transaction", facts.jobs, why));
  };
  if (core::starts_with(target.schema, "pg_temp"))
    return one_session("a temporary table is visible to this session only");
  if (plan.create) {
    plan.jobs = facts.jobs;
    plan.method = LoadMethod::rename;
    return;
  }
  if (plan.truncate)
    return one_session(
        "--truncate on an existing table: TRUNCATE's lock, held until the end, would block the other sessions");
  if (!facts.max_prepared || *facts.max_prepared < static_cast<long>(facts.jobs))
    return one_session(fmt::format(
        "loading an existing table all or nothing with {} sessions needs max_prepared_transactions >= {} on the "
        "server, which has {} (set it in postgresql.conf; it takes a restart)",
        facts.jobs, facts.jobs, facts.max_prepared ? std::to_string(*facts.max_prepared) : std::string("unknown")));
  plan.jobs = facts.jobs;
  plan.method = LoadMethod::two_phase;
}

void plan_hidden_table(ImportPlan& plan, const ImportOptions& options, const FileFacts& file, const Relation& target,
                       const LoadRun& run) {
  Relation hidden = target;
  hidden.name = hidden_table_name(target.name, run);
  hidden.sql_name = db::quote_qualified(hidden.schema, hidden.name);
  const ImportPlan load = plan_import(options, file, hidden);
  plan.load_table = hidden.display();
  plan.load_ddl = load.ddl;
  plan.load_copy_sql = load.copy_sql;
}

core::Json ImportPlan::to_json() const {
  auto cols = core::Json::array();
  for (const auto& c : columns) {
    auto j = core::Json::object();
    j.set("field", c.field).set("column", c.column).set("type", c.type);
    cols.push(std::move(j));
  }
  auto j = core::Json::object();
  j.set("source", source)
      .set("encoding", encoding.name)
      .set("encoding_source", !encoding.user_set          ? std::string("detected")
                              : encoding.named_in.empty() ? std::string("set by you")
                                                          : "from " + encoding.named_in)
      .set("delimiter", std::string(1, dialect.delimiter.value))
      .set("quote", std::string(1, dialect.quote.value))
      .set("header", dialect.header.value)
      .set("line_endings", csv::to_string(dialect.line_ending))
      .set("flags", dialect.flags() + " --encoding " + encoding.name)
      .set("table", table)
      .set("create", create)
      .set("truncate", truncate)
      .set("jobs", jobs)
      .set("method", to_string(method))
      .set("columns", std::move(cols));
  if (!load_table.empty()) j.set("load_table", load_table);
  if (!ddl.empty()) j.set("ddl", ddl);
  j.set("copy", copy_sql);
  if (!sidecar.empty()) j.set("import_config", sidecar);
  return j;
}

}  // namespace pgmonkey::transfer
