// plan_import and plan_export are pure: flags, sidecar, sniffed sample and catalog facts in, a plan out.
#include <doctest/doctest.h>

#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "csv/header_names.hpp"
#include "csv/sniffer.hpp"
#include "transfer/export_plan.hpp"
#include "transfer/import_plan.hpp"
#include "transfer/import_pump.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;
using pgmonkey::csv::Source;

namespace {

FileFacts facts_of(const std::string& sample, csv::SniffOptions o = {}) {
  FileFacts f;
  f.source = "data.csv";
  f.encoding.name = "UTF-8";
  f.sniffed = csv::sniff(sample, true, o);
  return f;
}

Relation missing_table(const std::string& name) {
  Relation r;
  r.schema = "public";
  r.name = name;
  r.sql_name = "\"" + name + "\"";
  return r;
}

Relation table(const std::string& name, std::vector<RelationColumn> cols, char kind = 'r') {
  Relation r = missing_table(name);
  r.exists = true;
  r.oid = "16384";
  r.relkind = kind;
  r.columns = std::move(cols);
  return r;
}

ImportOptions import_into(const std::string& t) {
  ImportOptions o;
  o.table = t;
  return o;
}

}  // namespace

TEST_CASE("plan_import: a new table from the header, names normalised, every name quoted") {
  auto plan = plan_import(import_into("t"), facts_of("Id,First Name\n1,Ann\n"), missing_table("t"));
  CHECK(plan.create);
  CHECK(plan.table == "public.t");
  CHECK(plan.ddl == "CREATE TABLE \"t\" (\"id\" text, \"first_name\" text)");
  CHECK(plan.copy_sql ==
        "COPY \"t\" (\"id\", \"first_name\") FROM STDIN WITH (FORMAT csv, DELIMITER ',', QUOTE '\"', ESCAPE '\"', "
        "ENCODING 'UTF8')");
  CHECK(plan.dialect.header.source == Source::detected);
  CHECK(plan.fields == 2);
}

TEST_CASE("plan_import: an existing table is matched by name in any order; the rest take defaults") {
  auto t = table("t", {{"id", "integer"}, {"name", "text"}, {"created", "date"}});
  auto plan = plan_import(import_into("t"), facts_of("NAME,id\nann,1\n"), t);
  CHECK_FALSE(plan.create);
  REQUIRE(plan.columns.size() == 2);
  CHECK(plan.columns[0].column == "name");
  CHECK(plan.columns[1].type == "integer");
  CHECK(plan.table_columns_defaulted == std::vector<std::string>{"created"});
  CHECK_THROWS_AS(plan_import(import_into("t"), facts_of("id,nmae\n1,x\n"), t), JobError);
}

TEST_CASE("plan_import: a first row naming the table's columns is its header, with a warning") {
  auto t = table("by_year", {{"region", "text"}, {"2023", "integer"}, {"2024", "integer"}});
  FileFacts f = facts_of("north,5,6\nsouth,7,8\n");
  REQUIRE_FALSE(f.sniffed.dialect.header.value);
  f.sniffed.data.insert(f.sniffed.data.begin(), csv::Record{{"region"}, {"2023"}, {"2024"}});
  auto plan = plan_import(import_into("by_year"), f, t);
  CHECK(plan.dialect.header.value);
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].find("header after all") != std::string::npos);
  // Never when the user said --no-header.
  f.sniffed.dialect.header = {false, Source::user};
  CHECK_FALSE(plan_import(import_into("by_year"), f, t).dialect.header.value);
}

TEST_CASE("plan_import: what cannot be loaded is refused before anything runs") {
  auto o = import_into("t");
  o.create = false;
  FileFacts f = facts_of("a\n1\n");
  f.create = false;
  CHECK_THROWS_AS(plan_import(o, f, missing_table("t")), JobError);
  CHECK_THROWS_AS(plan_import(import_into("v"), facts_of("a\n1\n"), table("v", {{"a", "text"}}, 'v')), JobError);
  auto fnn = import_into("t");
  fnn.force_not_null = {"nope"};
  CHECK_THROWS_AS(plan_import(fnn, facts_of("a,b\n1,2\n"), missing_table("t")), UsageError);
  FileFacts nul = facts_of("a;b\n1;2\n");
  nul.sniffed.dialect.null_string = "x;y";
  CHECK_THROWS_AS(plan_import(import_into("t"), nul, missing_table("t")), UsageError);
  auto trunc = import_into("t");
  trunc.truncate = true;
  trunc.force_not_null = {"B"};
  trunc.empty_as_null = true;
  auto plan = plan_import(trunc, facts_of("a,b\n1,2\n"), table("t", {{"a", "text"}, {"b", "text"}}));
  CHECK(plan.truncate_sql == "TRUNCATE \"t\"");
  CHECK(plan.copy_sql.find("FORCE_NULL (\"a\", \"b\"), FORCE_NOT_NULL (\"b\")") != std::string::npos);
}

TEST_CASE("plan_export: columns, generated columns, the estimate and the encoding") {
  ExportRequest req;
  req.table = "public.t";
  ExportFacts f;
  f.relation = table("t", {{"id", "integer"}, {"Total", "numeric", true}});
  f.server_encoding = "UTF8";
  f.reltuples = 1000;
  f.table_bytes = 65536;
  f.avg_width = {{"id", 4}, {"Total", 7}};
  auto plan = plan_export(req, f);
  CHECK(plan.copy_sql ==
        "COPY \"public\".\"t\" TO STDOUT WITH (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', "
        "ENCODING 'UTF8')");
  CHECK(plan.estimated_bytes == 13000);
  CHECK(plan.encoding_shown == "UTF8");
  req.columns = {"total", "ID"};
  plan = plan_export(req, f);
  CHECK(plan.copy_sql.rfind("COPY (SELECT \"Total\", \"id\" FROM ONLY \"public\".\"t\")", 0) == 0);
  req.columns = {"nope"};
  CHECK_THROWS_AS(plan_export(req, f), UsageError);
  req.columns.clear();
  req.dialect.encoding = {"utf-16", Source::user};
  plan = plan_export(req, f);
  CHECK(plan.estimated_bytes == 26000);
  CHECK(plan.encoding_shown == "UTF-16LE");
  f.server_encoding = "SQL_ASCII";
  CHECK_THROWS_AS(plan_export(req, f), UsageError);
  f.server_encoding.clear();
  CHECK_THROWS_AS(plan_export(req, f), UsageError);
}

TEST_CASE("plan_export: a missing relation suggests a near name") {
  ExportRequest req;
  req.table = "ordrs";
  ExportFacts f;
  f.relation = missing_table("ordrs");
  f.relation.nearby = {"orders", "customers"};
  f.server_encoding = "UTF8";
  try {
    plan_export(req, f);
    FAIL("no error");
  } catch (const JobError& e) {
    CHECK(e.hint() == "did you mean orders?");
  }
  req.table = "t";
  req.dialect.delimiter = {'"', Source::user};
  CHECK_THROWS_AS(plan_export(req, f), UsageError);  // options first
}

TEST_CASE("pgmonkey_name: lowercase, and every other character than [a-z0-9_] becomes one _") {
  CHECK(csv::pgmonkey_name("Full  Name") == "full__name");
  CHECK(csv::pgmonkey_name("Price ($)") == "price____");
  CHECK(csv::pgmonkey_name("phone#") == "phone_");
  CHECK(csv::pgmonkey_name("Größe") == "gr__e");
  CHECK(csv::pgmonkey_name("already_ok9") == "already_ok9");
}

TEST_CASE("plan_import: a table pgmonkey created is matched through its naming, and it says so") {
  auto t = table("t", {{"full__name", "text"}, {"price____", "text"}, {"gr__e", "text"}, {"phone_", "text"}});
  auto plan = plan_import(import_into("t"), facts_of("Full  Name,Price ($),Größe,phone#\nAnn,3,4,5\n"), t);
  REQUIRE(plan.columns.size() == 4);
  CHECK(plan.columns[0].column == "full__name");
  CHECK(plan.columns[1].column == "price____");
  CHECK(plan.columns[2].column == "gr__e");
  CHECK(plan.columns[3].column == "phone_");
  CHECK(plan.warnings.size() == 4);
  CHECK(plan.warnings[0] == "header column 'Full  Name' goes to column full__name (pgmonkey's naming)");
  // Our normalised name and pgmonkey's both find a column, different ones: refused, never guessed.
  auto both = table("t", {{"full_name", "text"}, {"full__name", "text"}});
  CHECK_THROWS_AS(plan_import(import_into("t"), facts_of("Full  Name\nAnn\n"), both), JobError);
}

TEST_CASE("plan_import: empty trailing header fields with empty values are a trailing delimiter, not a column") {
  auto t = table("t", {{"a", "text"}, {"b", "text"}});
  auto plan = plan_import(import_into("t"), facts_of("a,b,\n1,2,\n3,4,\n"), t);
  CHECK(plan.fields == 3);
  CHECK(plan.drop_trailing_fields == 1);
  CHECK(plan.columns.size() == 2);
  CHECK(plan.copy_sql.find("(\"a\", \"b\") FROM STDIN") != std::string::npos);
  // A value under the empty header field: still the error naming the empty header column.
  CHECK_THROWS_AS(plan_import(import_into("t"), facts_of("a,b,\n1,2,x\n"), t), JobError);
  // An empty field that is not the last one is never taken for a delimiter.
  CHECK_THROWS_AS(plan_import(import_into("t"), facts_of("a,,b\n1,,2\n"), t), JobError);
}

TEST_CASE("plan_import: NOT NULL text columns of an existing table take an empty field as ''") {
  RelationColumn id{"id", "integer"}, name{"name", "text"}, code{"code", "character varying(5)"};
  id.not_null = name.not_null = code.not_null = true;
  RelationColumn note{"note", "text"};
  auto t = table("t", {id, name, code, note});
  auto plan = plan_import(import_into("t"), facts_of("id,name,code,note\n1,,,\n"), t);
  CHECK(plan.copy_sql.find("FORCE_NOT_NULL (\"name\", \"code\")") != std::string::npos);
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0] == "NOT NULL text columns name, code: an empty field loads as '' (FORCE_NOT_NULL)");
  // Not with --empty-as-null, which asks for the opposite.
  auto o = import_into("t");
  o.empty_as_null = true;
  CHECK(plan_import(o, facts_of("id,name,code,note\n1,,,\n"), t).copy_sql.find("FORCE_NOT_NULL") == std::string::npos);
}

TEST_CASE("plan_import: CHECK constraints reach the scanner only when a record's values decide them") {
  Relation t = table("t", {{"id", "integer"}, {"name", "text"}, {"amount", "numeric(8,2)"}});
  t.checks = {{"t_amount_check", "CHECK ((amount >= (0)::numeric))"}, {"t_name_check", "CHECK ((length(name) > 0))"}};
  auto plan = plan_import(import_into("t"), facts_of("id,name,amount\n1,a,2\n"), t);
  REQUIRE(plan.checks.size() == 2);
  CHECK(plan.relation_name == "t");
  auto sc = scanner_config(plan);
  REQUIRE(sc.checks.size() == 1);  // the length check is the server's
  CHECK(sc.checks[0].name() == "t_amount_check");
  csv::Decimal minus_one = *csv::parse_decimal("-1");
  CHECK(sc.checks[0].certainly_fails([&](std::size_t field) { return field == 2 ? &minus_one : nullptr; }));
  REQUIRE(sc.field_rules.size() == 3);
  CHECK(sc.field_rules[2].storage->scale == 2);

  t.before_insert_row_triggers = true;  // a trigger may change the row first
  CHECK(plan_import(import_into("t"), facts_of("id,name,amount\n1,a,2\n"), t).checks.empty());
  t.before_insert_row_triggers = false;
  t.relkind = 'p';  // a partition may differ: left to the server
  CHECK(plan_import(import_into("t"), facts_of("id,name,amount\n1,a,2\n"), t).checks.empty());
}

TEST_CASE("plan_import: NOT NULL columns an unquoted empty field would make NULL are judged on the client") {
  Relation t = table(
      "t",
      {{"id", "integer", false, true}, {"name", "text", false, true}, {"day", "date", false, true}, {"note", "text"}});
  auto plan = plan_import(import_into("t"), facts_of("id,name,day,note\n1,a,2024-01-01,x\n"), t);
  // name takes '' (FORCE_NOT_NULL), so only id and day can get a NULL.
  CHECK(plan.not_null_columns == std::vector<std::string>{"id", "day"});
  auto sc = scanner_config(plan);
  REQUIRE(sc.field_rules.size() == 3);  // nothing after day needs splitting
  CHECK(sc.field_rules[0].not_null);
  CHECK(std::string(sc.field_rules[0].number_type) == "integer");
  CHECK_FALSE(sc.field_rules[1].not_null);
  CHECK(sc.field_rules[2].not_null);
  CHECK(sc.field_rules[2].number_type == nullptr);
  t.before_insert_row_triggers = true;
  CHECK(plan_import(import_into("t"), facts_of("id,name,day,note\n1,a,2024-01-01,x\n"), t).not_null_columns.empty());
}

TEST_CASE("plan_import: character columns with a length limit are judged on the client") {
  Relation t = table("t", {{"a", "character varying(20)"}, {"b", "character(3)"}, {"c", "character varying"},
                           {"d", "text"}});
  auto sc = scanner_config(plan_import(import_into("t"), facts_of("a,b,c,d\nx,y,z,w\n"), t));
  REQUIRE(sc.field_rules.size() == 2);  // c and d have no limit
  CHECK(sc.field_rules[0].max_chars == 20);
  CHECK(sc.field_rules[0].char_type == "character varying(20)");
  CHECK(sc.field_rules[1].max_chars == 3);
}
