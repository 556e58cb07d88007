// The dialect from flags and sidecar, the sidecar file, encoding plans and COPY text, without a server.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "temp_dir.hpp"
#include "transfer/copy_statement.hpp"
#include "transfer/dialect_flags.hpp"
#include "transfer/export_encoding.hpp"
#include "transfer/export_job.hpp"
#include "transfer/relation.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;
using pgmonkey::csv::Source;
namespace fs = std::filesystem;

using pgmonkey::test::TempDir;

TEST_CASE("the default COPY is psql's \\copy TO ... WITH (FORMAT csv, HEADER)") {
  CopyRelation src{"public", "t", 'r', {}};
  CHECK(copy_to_sql(src, CopyFormat{}) ==
        "COPY \"public\".\"t\" TO STDOUT WITH (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', "
        "ENCODING 'UTF8')");
}

TEST_CASE("COPY text quotes every name and value") {
  CopyFormat f;
  f.delimiter = '\'';
  f.quote = '\\';
  f.header = false;
  f.null_string = "N'A";
  f.force_quote = {"Mixed Case", "a\"b"};
  f.encoding = "LATIN1";
  CopyRelation src{"my schema", "Tab\"le", 'r', {"Mixed Case", "a\"b"}};
  CHECK(copy_to_sql(src, f) ==
        "COPY \"my schema\".\"Tab\"\"le\" (\"Mixed Case\", \"a\"\"b\") TO STDOUT WITH (FORMAT csv, HEADER false, "
        "DELIMITER '''', QUOTE  E'\\\\', NULL 'N''A', FORCE_QUOTE (\"Mixed Case\", \"a\"\"b\"), ENCODING 'LATIN1')");
  f.force_quote = {"*"};
  CHECK(copy_to_sql(src, f).find("FORCE_QUOTE *") != std::string::npos);
}

TEST_CASE("one builder for both directions: FROM gets ESCAPE and FORCE_NULL, never HEADER or FORCE_QUOTE") {
  pgmonkey::csv::Dialect d;
  d.delimiter = {';', Source::user};
  d.null_string = "";
  CopyFormat f = CopyFormat::of(d);
  f.force_quote = {"x"};
  f.force_null = {"a"};
  CHECK(copy_options(f, CopyDirection::from_stdin) ==
        "FORMAT csv, DELIMITER ';', QUOTE '\"', ESCAPE '\"', NULL '', FORCE_NULL (\"a\"), ENCODING 'UTF8'");
  CHECK(copy_options(f, CopyDirection::to_stdout) ==
        "FORMAT csv, HEADER true, DELIMITER ';', QUOTE '\"', NULL '', FORCE_QUOTE (\"x\"), ENCODING 'UTF8'");
}

TEST_CASE("views and other non-tables are copied through a query") {
  CopyRelation view{"s", "v", 'v', {}};
  CHECK(copy_to_sql(view, CopyFormat{}).rfind("COPY (SELECT * FROM \"s\".\"v\") TO STDOUT", 0) == 0);
  view.columns = {"b", "a"};
  CHECK(copy_to_sql(view, CopyFormat{}).rfind("COPY (SELECT \"b\", \"a\" FROM \"s\".\"v\")", 0) == 0);
  CopyRelation table{"s", "t", 'r', {"g", "a"}};
  CHECK(copy_to_sql(table, CopyFormat{}).rfind("COPY \"s\".\"t\" (\"g\", \"a\") TO", 0) == 0);
  table.lists_generated = true;  // COPY t (g) refuses a generated column; a query reads it
  CHECK(copy_to_sql(table, CopyFormat{}).rfind("COPY (SELECT \"g\", \"a\" FROM ONLY \"s\".\"t\")", 0) == 0);
}

TEST_CASE("dialect characters: one ASCII byte, \\t and tab mean a tab") {
  using pgmonkey::csv::parse_char_option;
  CHECK(parse_char_option(";", "d") == ';');
  CHECK(parse_char_option("\\t", "d") == '\t');
  CHECK(parse_char_option("TAB", "d") == '\t');
  CHECK(parse_char_option("\t", "d") == '\t');
  CHECK_THROWS_AS(parse_char_option(";;", "d"), UsageError);
  CHECK_THROWS_AS(parse_char_option("", "d"), UsageError);
  CHECK_THROWS_AS(parse_char_option("\n", "d"), UsageError);
  CHECK_THROWS_AS(parse_char_option("é", "d"), UsageError);
}

TEST_CASE("impossible dialect combinations are usage errors") {
  using pgmonkey::csv::check_dialect;
  pgmonkey::csv::Dialect d;
  d.quote = {',', Source::user};
  CHECK_THROWS_AS(check_dialect(d), UsageError);
  d = {};
  d.null_string = "a,b";
  CHECK_THROWS_AS(check_dialect(d), UsageError);
  d.null_string = "\"NULL\"";
  CHECK_THROWS_AS(check_dialect(d), UsageError);
  d.null_string = "x\ny";
  CHECK_THROWS_AS(check_dialect(d), UsageError);
  d.null_string = "\\N";
  CHECK_NOTHROW(check_dialect(d));
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

TEST_CASE("flags override the sidecar, which overrides the defaults; each option says who set it") {
  Sidecar s;
  s.path = "data.yaml";
  s.delimiter = "\\t";
  s.quotechar = "'";
  s.encoding = "latin1";
  DialectFlags flags;
  auto d = given_dialect(flags, &s);
  CHECK(d.delimiter.value == '\t');
  CHECK(d.delimiter.source == Source::sidecar);
  CHECK(d.origin(d.delimiter.source) == "from data.yaml");
  CHECK(d.quote.value == '\'');
  CHECK(d.encoding.value == "latin1");
  CHECK(d.header.value);
  CHECK(d.header.source == Source::fallback);
  s.has_headers = false;  // shared with pgimport: the same file describes the CSV both ways
  d = given_dialect(flags, &s);
  CHECK_FALSE(d.header.value);
  CHECK(d.header.source == Source::sidecar);
  flags.header = true;
  CHECK(given_dialect(flags, &s).header.value);
  flags.delimiter = ";";
  flags.encoding = "utf-16";
  flags.header = false;
  d = given_dialect(flags, &s);
  CHECK(d.delimiter.value == ';');
  CHECK(d.delimiter.source == Source::user);
  CHECK(d.origin(d.delimiter.source) == "set by you");
  CHECK(d.quote.value == '\'');
  CHECK(d.encoding.value == "utf-16");
  CHECK_FALSE(d.header.value);
  d = given_dialect(DialectFlags{}, nullptr);
  CHECK(d.delimiter.value == ',');
  CHECK(d.quote.value == '"');
  CHECK(d.header.value);
  CHECK(d.encoding.value.empty());
  CHECK(d.origin(d.delimiter.source) == "default");
  s.quotechar = "ab";  // the one character parser, naming the file
  try {
    given_dialect(DialectFlags{}, &s);
    FAIL("no error");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()).find("data.yaml") != std::string::npos);
  }
}

TEST_CASE("a weaker source never overwrites a stronger one") {
  pgmonkey::csv::Option<char> o;
  CHECK(o.offer(';', Source::sidecar));
  CHECK_FALSE(o.offer(',', Source::detected));
  CHECK_FALSE(o.offer('|', Source::sep_line));
  CHECK(o.value == ';');
  CHECK(o.offer('\t', Source::user));
  CHECK(o.value == '\t');
  CHECK(o.given());
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
  auto s = load_sidecar(swapped.string(), "export config");
  CHECK(s.has_headers == true);
  CHECK_THROWS_AS(load_sidecar(dir.write("bad4.yaml", "has_headers: maybe\n").string(), "export config"), ConfigError);
  CHECK(s.delimiter == "|");
  CHECK(s.quotechar == "'");
  CHECK(s.encoding == "utf-16");
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].find("did you mean 'delimiter'?") != std::string::npos);  // import keys are known keys
  CHECK_THROWS_AS(load_sidecar(dir.write("bad.yaml", "- a\n- b\n").string(), "export config"), ConfigError);
  CHECK_THROWS_AS(load_sidecar(dir.write("bad2.yaml", "delimiter: [1, 2]\n").string(), "export config"), ConfigError);
  CHECK_THROWS_AS(load_sidecar(dir.write("bad3.yaml", "delimiter: [1, 2\n").string(), "export config"), ConfigError);
  CHECK_THROWS_AS(load_sidecar((dir.path / "missing.yaml").string(), "export config"), ConfigError);
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
