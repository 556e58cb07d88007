// pgexport's dialect resolution, sidecar config, encoding plans and COPY text, without a server.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "temp_dir.hpp"
#include "transfer/export_job.hpp"
#include "transfer/export_options.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;
namespace fs = std::filesystem;

using pgmonkey::test::TempDir;

TEST_CASE("the default COPY is psql's \\copy TO ... WITH (FORMAT csv, HEADER)") {
  CopySource src{"public", "t", 'r', {}};
  CHECK(build_copy_sql(src, ExportDialect{}, "UTF8") ==
        "COPY \"public\".\"t\" TO STDOUT WITH (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', "
        "ENCODING 'UTF8')");
}

TEST_CASE("COPY text quotes every name and value") {
  ExportDialect d;
  d.delimiter = '\'';
  d.quote = '\\';
  d.header = false;
  d.null_string = "N'A";
  d.force_quote = {"Mixed Case", "a\"b"};
  CopySource src{"my schema", "Tab\"le", 'r', {"Mixed Case", "a\"b"}};
  CHECK(build_copy_sql(src, d, "LATIN1") ==
        "COPY \"my schema\".\"Tab\"\"le\" (\"Mixed Case\", \"a\"\"b\") TO STDOUT WITH (FORMAT csv, HEADER false, "
        "DELIMITER '''', QUOTE  E'\\\\', NULL 'N''A', FORCE_QUOTE (\"Mixed Case\", \"a\"\"b\"), ENCODING 'LATIN1')");
  d.force_quote = {"*"};
  CHECK(build_copy_sql(src, d, "UTF8").find("FORCE_QUOTE *") != std::string::npos);
}

TEST_CASE("views and other non-tables are copied through a query") {
  CopySource view{"s", "v", 'v', {}};
  CHECK(build_copy_sql(view, ExportDialect{}, "UTF8").rfind("COPY (SELECT * FROM \"s\".\"v\") TO STDOUT", 0) == 0);
  view.columns = {"b", "a"};
  CHECK(build_copy_sql(view, ExportDialect{}, "UTF8").rfind("COPY (SELECT \"b\", \"a\" FROM \"s\".\"v\")", 0) == 0);
  CopySource table{"s", "t", 'r', {"g", "a"}};
  CHECK(build_copy_sql(table, ExportDialect{}, "UTF8").rfind("COPY \"s\".\"t\" (\"g\", \"a\") TO", 0) == 0);
  table.lists_generated = true;  // COPY t (g) refuses a generated column; a query reads it
  CHECK(build_copy_sql(table, ExportDialect{}, "UTF8").rfind("COPY (SELECT \"g\", \"a\" FROM \"s\".\"t\")", 0) == 0);
}

TEST_CASE("dialect characters: one ASCII byte, \\t and tab mean a tab") {
  CHECK(parse_dialect_char(";", "d") == ';');
  CHECK(parse_dialect_char("\\t", "d") == '\t');
  CHECK(parse_dialect_char("TAB", "d") == '\t');
  CHECK(parse_dialect_char("\t", "d") == '\t');
  CHECK_THROWS_AS(parse_dialect_char(";;", "d"), UsageError);
  CHECK_THROWS_AS(parse_dialect_char("", "d"), UsageError);
  CHECK_THROWS_AS(parse_dialect_char("\n", "d"), UsageError);
  CHECK_THROWS_AS(parse_dialect_char("é", "d"), UsageError);
}

TEST_CASE("impossible dialect combinations are usage errors") {
  ExportDialect d;
  d.quote = ',';
  CHECK_THROWS_AS(validate_dialect(d), UsageError);
  d = ExportDialect{};
  d.null_string = "a,b";
  CHECK_THROWS_AS(validate_dialect(d), UsageError);
  d.null_string = "\"NULL\"";
  CHECK_THROWS_AS(validate_dialect(d), UsageError);
  d.null_string = "\\N";
  CHECK_NOTHROW(validate_dialect(d));
}

TEST_CASE("encoding plans: server-side conversion, client-side UTF-16 and ASCII") {
  auto p = plan_encoding("utf-16");
  CHECK(p.client == ClientTranscode::utf16le);
  CHECK(p.bom == "\xFF\xFE");
  CHECK(p.server_encoding == "UTF8");
  CHECK(plan_encoding("UTF_16LE").client == ClientTranscode::utf16le);
  p = plan_encoding("utf-16-be");
  CHECK(p.client == ClientTranscode::utf16be);
  CHECK(p.bom == "\xFE\xFF");
  CHECK(plan_encoding("ascii").client == ClientTranscode::ascii_check);
  CHECK(plan_encoding("utf-8-sig").bom == "\xEF\xBB\xBF");
  CHECK(plan_encoding("cp1252").server_encoding == "WIN1252");
  p = plan_encoding("iso-8859-1");
  CHECK(p.server_encoding == "iso-8859-1");  // the server knows its aliases
  CHECK(p.client == ClientTranscode::none);
  CHECK(p.bom.empty());
  CHECK_THROWS_AS(plan_encoding("--"), UsageError);
}

TEST_CASE("flags override the sidecar, which overrides the defaults") {
  Sidecar s;
  s.path = "data.yaml";
  s.delimiter = "\\t";
  s.quotechar = "'";
  s.encoding = "latin1";
  DialectFlags flags;
  auto d = resolve_dialect(flags, s);
  CHECK(d.delimiter == '\t');
  CHECK(d.quote == '\'');
  CHECK(d.encoding == "latin1");
  CHECK(d.delimiter_source == "data.yaml");
  CHECK(d.header);
  s.has_headers = false;  // shared with pgimport: the same file describes the CSV both ways
  d = resolve_dialect(flags, s);
  CHECK_FALSE(d.header);
  flags.header = true;
  CHECK(resolve_dialect(flags, s).header);
  flags.delimiter = ";";
  flags.encoding = "utf-16";
  flags.header = false;
  flags.force_quote = " * ";
  d = resolve_dialect(flags, s);
  CHECK(d.delimiter == ';');
  CHECK(d.delimiter_source == "--delimiter");
  CHECK(d.quote == '\'');
  CHECK(d.encoding == "utf-16");
  CHECK_FALSE(d.header);
  CHECK(d.force_quote == std::vector<std::string>{"*"});
  d = resolve_dialect(DialectFlags{}, std::nullopt);
  CHECK(d.delimiter == ',');
  CHECK(d.quote == '"');
  CHECK(d.header);
  CHECK(d.encoding == "utf-8");
  CHECK(d.delimiter_source == "default");
}

TEST_CASE("the sidecar is pgmonkey's FILE.yaml next to the CSV") {
  TempDir dir;
  auto csv = (dir.path / "data.csv").string();
  CHECK(find_sidecar(csv).empty());
  CHECK(find_sidecar("-").empty());
  dir.write("data.csv.yaml", "delimiter: ';'\n");
  CHECK(find_sidecar(csv) == (dir.path / "data.csv.yaml").string());
  auto swapped =
      dir.write("data.yaml", "delimiter: '|'\nquotechar: \"'\"\nencoding: utf-16\nhas_headers: true\ndelimter: x\n");
  CHECK(find_sidecar(csv) == swapped.string());  // pgmonkey's own name wins
  // ... unless it is the connection config itself (-c data.yaml -o data.csv)
  CHECK(find_sidecar(csv, swapped.string()) == (dir.path / "data.csv.yaml").string());
  auto s = load_sidecar(swapped.string());
  CHECK(s.has_headers == true);
  CHECK_THROWS_AS(load_sidecar(dir.write("bad4.yaml", "has_headers: maybe\n").string()), ConfigError);
  CHECK(s.delimiter == "|");
  CHECK(s.quotechar == "'");
  CHECK(s.encoding == "utf-16");
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].find("did you mean 'delimiter'?") != std::string::npos);  // import keys pass silently
  CHECK_THROWS_AS(load_sidecar(dir.write("bad.yaml", "- a\n- b\n").string()), ConfigError);
  CHECK_THROWS_AS(load_sidecar(dir.write("bad2.yaml", "delimiter: [1, 2]\n").string()), ConfigError);
  CHECK_THROWS_AS(load_sidecar(dir.write("bad3.yaml", "delimiter: [1, 2\n").string()), ConfigError);
  CHECK_THROWS_AS(load_sidecar((dir.path / "missing.yaml").string()), ConfigError);
}

TEST_CASE("default file name: the table without its schema") {
  CHECK(default_output_for("public.orders") == "orders.csv");
  CHECK(default_output_for("a/b") == "a_b.csv");
}

TEST_CASE("column lists") {
  CHECK(split_column_list("a, b ,c", "--columns") == std::vector<std::string>{"a", "b", "c"});
  CHECK_THROWS_AS(split_column_list("a,,b", "--columns"), UsageError);
  // Quoted names are taken exactly: commas, spaces and "" inside.
  CHECK(split_column_list(R"(id,"b,c", "q""x" , Col A)", "--columns") ==
        std::vector<std::string>{"id", "b,c", "q\"x", "Col A"});
  CHECK(split_column_list(R"(" padded ")", "--columns") == std::vector<std::string>{" padded "});
  CHECK_THROWS_AS(split_column_list(R"("open)", "--columns"), UsageError);
  CHECK_THROWS_AS(split_column_list(R"("a"b)", "--columns"), UsageError);
  CHECK_THROWS_AS(split_column_list("a,", "--columns"), UsageError);
}
