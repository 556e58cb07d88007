// Table names with SQL quoting rules, and the SQL built from them.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "core/error.hpp"
#include "csv/line_map.hpp"
#include "db/copy_error.hpp"
#include "transfer/copy_statement.hpp"
#include "transfer/import_plan.hpp"
#include "transfer/table_name.hpp"

using namespace pgmonkey::transfer;

TEST_CASE("schema.table with quoting rules") {
  auto a = parse_table_name("Sales");
  CHECK(a.schema.empty());
  CHECK(a.table == "sales");
  auto b = parse_table_name("\"My.Schema\".\"Odd \"\"T\"\"\"");
  CHECK(b.schema == "My.Schema");
  CHECK(b.table == "Odd \"T\"");
  CHECK(b.quoted() == "\"My.Schema\".\"Odd \"\"T\"\"\"");
  CHECK(parse_table_name("s.t").quoted() == "\"s\".\"t\"");
}

TEST_CASE("injection-shaped names are rejected or stay one quoted identifier") {
  for (const char* bad : {"t; DROP TABLE x", "t--", "a.b.c", "\"open", "", ".t", "t.", "x\"y"})
    CHECK_THROWS_AS(parse_table_name(bad), pgmonkey::UsageError);
  auto q = parse_table_name("\"t\"\"; DROP TABLE x; --\"");
  CHECK(q.quoted() == "\"t\"\"; DROP TABLE x; --\"");
}

TEST_CASE("names only looked up: any unquoted characters, as written and folded") {
  // pgexport only looks names up (always quoted): as written first, then folded.
  const auto lookup = UnquotedParts::anything;
  auto n = parse_table_name("sales.Orders", lookup);
  CHECK(n.schema_as_written == "sales");
  CHECK(n.table_as_written == "Orders");
  CHECK(n.table == "orders");  // unquoted: SQL folds it
  CHECK(n.quoted_as_written() == "\"sales\".\"Orders\"");
  CHECK(n.quoted() == "\"sales\".\"orders\"");
  n = parse_table_name("\"my.schema\".\"Odd \"\"name\"\"\"", lookup);
  CHECK(n.schema_as_written == "my.schema");
  CHECK(n.schema == "my.schema");  // quoted: kept as written
  CHECK(n.table_as_written == "Odd \"name\"");
  CHECK(n.table == "Odd \"name\"");
  n = parse_table_name("t", lookup);
  CHECK(n.schema_as_written.empty());
  CHECK(n.table_as_written == "t");
  CHECK(parse_table_name("my-table", lookup).quoted_as_written() == "\"my-table\"");
  CHECK_THROWS_AS(parse_table_name("my-table"), pgmonkey::UsageError);  // pgimport creates tables: identifiers only
  CHECK_THROWS_AS(parse_table_name("\"open", lookup), pgmonkey::UsageError);
  CHECK_THROWS_AS(parse_table_name(".t", lookup), pgmonkey::UsageError);
  CHECK_THROWS_AS(parse_table_name("s.", lookup), pgmonkey::UsageError);
}

TEST_CASE("COPY and CREATE statements quote every name") {
  CopyFormat f;
  f.delimiter = ';';
  f.null_string = "N'A";
  f.force_not_null = {"a\"b"};
  auto sql = copy_from_sql(parse_table_name("t").quoted(), {"a\"b", "c"}, f);
  CHECK(sql ==
        "COPY \"t\" (\"a\"\"b\", \"c\") FROM STDIN WITH (FORMAT csv, DELIMITER ';', QUOTE '\"', ESCAPE '\"', "
        "NULL 'N''A', FORCE_NOT_NULL (\"a\"\"b\"), ENCODING 'UTF8')");
  CHECK(create_table_sql(parse_table_name("s.t").quoted(), {"x"}, {pgmonkey::csv::ColumnType::bigint}) ==
        "CREATE TABLE \"s\".\"t\" (\"x\" bigint)");
}

TEST_CASE("the server's COPY context gives line and column") {
  auto [line, col] = pgmonkey::db::parse_copy_context("COPY t, line 42, column amount: \"x\"");
  CHECK(*line == 42);
  CHECK(col == "amount");
  CHECK_FALSE(pgmonkey::db::parse_copy_context("SQL statement").first);
}

TEST_CASE("line map: sparse end lines, recent start lines") {
  pgmonkey::csv::LineMap m(1 << 10, 4);
  std::uint64_t key = 0, line = 1;  // line 1 is the header
  for (int i = 0; i < 1000; ++i) {
    bool two = i % 10 == 0;  // every tenth record holds a quoted newline
    key += two ? 2 : 1;
    m.add(key, line + 1, line + (two ? 2 : 1));
    line += two ? 2 : 1;
  }
  CHECK(m.entries() == 1);         // COPY counts the quoted newlines too: ends advance together
  CHECK(*m.line_of(key) == line);  // recent: exact start
  auto old = m.find(2);            // the first record (two lines, COPY lines 1-2) is no longer recent
  REQUIRE(old);
  CHECK_FALSE(old->start);
  CHECK(old->line == 3);
  m.add(key + 1, line + 3, line + 3);  // two blank lines skipped
  CHECK(m.entries() == 2);
  CHECK(m.find(key + 1)->line == line + 3);
  pgmonkey::csv::LineMap full(1, 1);
  full.add(1, 2, 2);
  full.add(2, 5, 5);  // the run's stride: 3 file lines per COPY line
  full.add(3, 6, 6);  // off the run, and no room for another
  full.add(4, 7, 7);  // the recent ring (one record) now holds this one only
  CHECK(full.find(2)->line == 5);
  CHECK_FALSE(full.find(3));
}

TEST_CASE("line map: the recent ring gives the start line of each of the last records") {
  pgmonkey::csv::LineMap m(1 << 10, 4);
  // COPY lines 1..6; record k starts on file line 10k and spans k % 3 extra lines.
  std::uint64_t copy = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> added;
  for (std::uint64_t k = 1; k <= 6; ++k) {
    copy += 1 + k % 3;
    m.add(copy, 10 * k, 10 * k + k % 3);
    added.emplace_back(copy, 10 * k);
  }
  for (std::size_t i = 2; i < 6; ++i) CHECK(m.line_of(added[i].first) == added[i].second);
  CHECK_FALSE(m.line_of(added[1].first));      // fell out of the ring
  CHECK_FALSE(m.line_of(added[4].first - 1));  // inside record 5 (3 COPY lines), not where one ends
  CHECK_FALSE(m.line_of(added[5].first + 1));
  // Steps are a byte each; a longer one (a record of 255 lines or more, or skipped lines) is kept
  // whole aside, and the walk back goes over it exactly.
  const std::uint64_t c6 = added[5].first;  // record 6 starts on file line 60
  m.add(c6 + 255, 315, 315);                // a step of 255: fits
  m.add(c6 + 511, 615, 615);                // 256 COPY lines, 300 file lines: kept aside
  const std::uint64_t far = (1ULL << 33) + 7;
  m.add(far, far + 100, far + 100);  // kept aside too
  CHECK(m.line_of(far) == far + 100);
  CHECK(m.line_of(c6 + 511) == 615);
  CHECK(m.line_of(c6 + 255) == 315);
  CHECK(m.line_of(c6) == 60);
  m.add(far + 1, far + 102, far + 102);
  CHECK_FALSE(m.line_of(c6));  // fell out of the ring
  CHECK(m.line_of(c6 + 255) == 315);
  m.add(far + 1000, far + 2000, far + 2000);
  m.add(far + 1001, far + 2001, far + 2001);  // the record with the first long step leaves, and that step
  CHECK_FALSE(m.line_of(c6 + 511));
  CHECK(m.line_of(far) == far + 100);
  CHECK(m.line_of(far + 1) == far + 102);
  CHECK(m.line_of(far + 1000) == far + 2000);
  CHECK(m.line_of(far + 1001) == far + 2001);
  // Records out of order (a second pass, say) start the ring again from that record.
  m.add(5, 7, 7);
  CHECK(m.line_of(5) == 7);
  CHECK_FALSE(m.line_of(far + 1001));
}

TEST_CASE("line map: a double-spaced file is one run, however long") {
  pgmonkey::csv::LineMap m(4, 2);
  for (std::uint64_t i = 1; i <= 1000000; ++i) m.add(i, 2 * i, 2 * i);  // a blank line after each record
  CHECK(m.entries() == 1);
  CHECK(m.find(800000)->line == 1600000);
}

TEST_CASE("sidecar path is pgmonkey's: data.csv → data.yaml") {
  CHECK(sidecar_path("/x/data.csv") == "/x/data.yaml");
  CHECK(sidecar_path("/x.d/data") == "/x.d/data.yaml");
}
