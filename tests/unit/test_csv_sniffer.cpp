// Dialect, header and type sniffing on samples.
#include <doctest/doctest.h>

#include "csv/header_names.hpp"
#include "csv/sample_parser.hpp"
#include "csv/sniffer.hpp"

using namespace pgmonkey::csv;

TEST_CASE("sample parser follows COPY's CSV rules") {
  auto p = parse_sample("a,\"b,c\",\"d\"\"e\"\n\n\"x\ny\",,\"\"\n", ',', '"', true);
  REQUIRE(p.records.size() == 2);
  CHECK(p.records[0][1].text == "b,c");
  CHECK(p.records[0][2].text == "d\"e");
  CHECK(p.records[1][0].text == "x\ny");
  CHECK_FALSE(p.records[1][1].quoted);
  CHECK(p.records[1][2].quoted);
  CHECK(p.lines[1] == 3);
  auto cut = parse_sample("a,b\n1,2\n3,", ',', '"', false);
  CHECK(cut.records.size() == 2);
  CHECK(cut.cut);
}

TEST_CASE("the delimiter with a consistent field count wins") {
  struct Case {
    const char* text;
    char delimiter;
  };
  for (auto c : {Case{"a,b,c\n1,2,3\n4,5,6\n", ','}, Case{"a;b;c\n1,5;2;3\n4;5;6\n", ';'}, Case{"a\tb\n1\t2\n", '\t'},
                 Case{"a|b|c\nx,y|2|3\n", '|'}, Case{"name;note\nAnn;\"a;b\"\nBob;\"c\"\n", ';'}}) {
    auto r = sniff(c.text, true, SniffOptions{});
    CHECK(r.dialect.delimiter.value == c.delimiter);
    CHECK(r.dialect.delimiter.source == Source::detected);
  }
}

TEST_CASE("a delimiter set by the user is kept and reported as such") {
  SniffOptions o;
  o.given.delimiter.offer(';', Source::user);
  auto r = sniff("a,b\n1,2\n", true, o);
  CHECK(r.dialect.delimiter.value == ';');
  CHECK(r.dialect.describe().find("(set by you)") != std::string::npos);
  CHECK(r.dialect.flags() == "--delimiter ';' --quote '\"' --header");
}

TEST_CASE("header detection") {
  CHECK(sniff("id,amount\n1,2.5\n2,3\n", true, {}).dialect.header.value);
  CHECK_FALSE(sniff("1,2.5\n2,3\n3,4\n", true, {}).dialect.header.value);
  CHECK(sniff("name,city\nann,paris\n", true, {}).dialect.header.value);
  CHECK(sniff("a,b\n", true, {}).dialect.header.value);  // header-only
  CHECK(sniff("a,b\n", true, {}).header_uncertain);
  // One record of numbers or dates is data, not a header.
  auto one = sniff("42,17\n", true, {});
  CHECK_FALSE(one.dialect.header.value);
  CHECK_FALSE(one.header_uncertain);
  CHECK_FALSE(sniff("2024-01-05,x\n", true, {}).dialect.header.value);
  // All text: assumed a header, but said to be a guess; typed columns make it certain.
  auto text = sniff("alice,paris\nbob,berlin\n", true, {});
  CHECK(text.dialect.header.value);
  CHECK(text.header_uncertain);
  CHECK_FALSE(sniff("id,amount\n1,2.5\n2,3\n", true, {}).header_uncertain);

  CHECK(sniff("", true, {}).empty);
  CHECK(sniff("a,b\r\n1,2\r\n", true, {}).dialect.line_ending == LineEnding::crlf);
}

TEST_CASE("type inference ignores exactly what COPY reads as NULL") {
  SniffOptions o;
  o.infer_types = true;
  const std::string data = "id,v,w\n1,10,NA\n2,\"\",5\n3,,NA\n";
  // "" is an empty string for COPY, which bigint refuses; NA is text unless it is the NULL string.
  CHECK(sniff(data, true, o).types == std::vector<ColumnType>{ColumnType::bigint, ColumnType::text, ColumnType::text});
  o.nulls.empty_as_null = true;
  CHECK(sniff(data, true, o).types[1] == ColumnType::bigint);
  o.nulls = NullRule{};
  o.nulls.null_string = "NA";  // with --null NA an unquoted empty field is '' (text), NA is NULL
  CHECK(sniff(data, true, o).types ==
        std::vector<ColumnType>{ColumnType::bigint, ColumnType::text, ColumnType::bigint});
  SniffOptions fnn;
  fnn.infer_types = true;
  fnn.nulls.force_not_null = {"N"};  // an unquoted empty field in n is '', which bigint refuses
  CHECK(sniff("id,n\n1,\n2,5\n", true, fnn).types == std::vector<ColumnType>{ColumnType::bigint, ColumnType::text});
  fnn.nulls.force_not_null.clear();
  CHECK(sniff("id,n\n1,\n2,5\n", true, fnn).types[1] == ColumnType::bigint);
}

TEST_CASE("type inference keeps leading zeros as text") {
  SniffOptions o;
  o.infer_types = true;
  auto r = sniff(
      "b,i,n,d,ts,tz,zip,t\n"
      "true,1,1.5,2024-02-29,2024-01-01 10:00:00,2024-01-01T10:00:00Z,01234,x\n"
      "no,-20,3,2023-12-31,2024-01-01T10:00,2024-01-01 10:00:00+02:00,02134,1\n",
      true, o);
  std::vector<ColumnType> want{ColumnType::boolean,   ColumnType::bigint,      ColumnType::numeric, ColumnType::date,
                               ColumnType::timestamp, ColumnType::timestamptz, ColumnType::text,    ColumnType::text};
  CHECK(r.types == want);
  CHECK_FALSE(value_fits(ColumnType::date, "2023-02-29"));
  CHECK_FALSE(value_fits(ColumnType::bigint, "99999999999999999999"));
}

TEST_CASE("header normalisation") {
  auto n = normalise_names(
      {"First Name", "first_name", "", "1st", "Größe (cm)", "a--b", std::string(70, 'x'), std::string(70, 'x')}, true);
  CHECK(n[0] == "first_name");
  CHECK(n[1] == "first_name_2");
  CHECK(n[2] == "col_3");
  CHECK(n[3] == "col_1st");
  CHECK(n[4] == "größe_cm");
  CHECK(n[5] == "a_b");
  CHECK(n[6].size() == 63);
  CHECK(n[7].size() == 63);
  CHECK(n[6] != n[7]);
  CHECK(normalise_names({"MixedCase"}, false)[0] == "MixedCase");
  auto sys = normalise_names({"label", "XMin", "ymin", "xmax", "ctid", "TableOID"}, true);
  CHECK(sys == std::vector<std::string>{"label", "col_xmin", "ymin", "col_xmax", "col_ctid", "col_tableoid"});
  CHECK(normalise_names({"XMIN"}, false)[0] == "XMIN");  // a different identifier from xmin
}

TEST_CASE("header fields match table columns by name") {
  std::vector<std::string> cols{"id", "first_name", "Note"};
  CHECK(*match_column("id", cols) == 0);
  CHECK(*match_column("First Name", cols) == 1);
  CHECK(*match_column("note", cols) == 2);
  CHECK_FALSE(match_column("nope", cols));
  CHECK_FALSE(match_column("First Name", cols, false));  // only exact or case-insensitive
  CHECK(*match_column("NOTE", cols, false) == 2);
}

TEST_CASE("Excel's sep= first line names the delimiter and becomes a blank line") {
  std::string text = "sep=;\r\na;b\r\n1;2\r\n";
  CHECK(take_excel_sep_line(text) == std::optional<char>(';'));
  CHECK(text == "\r\na;b\r\n1;2\r\n");  // line numbers stay as in the file
  std::string plain = "sep,x\n1,2\n";
  CHECK_FALSE(take_excel_sep_line(plain));
  std::string data = "sep=;x\n";
  CHECK_FALSE(take_excel_sep_line(data));
  std::string only = "sep=;";  // the whole file
  CHECK(take_excel_sep_line(only) == std::optional<char>(';'));
  CHECK(only.empty());
  CHECK(plain == "sep,x\n1,2\n");
}
