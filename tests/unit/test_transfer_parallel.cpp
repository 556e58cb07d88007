// pgimport --jobs: the pure choice of sessions and method, and the chunks the reader cuts (whole
// records, the same bytes as one COPY, each record's file line from its chunk's COPY line).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "csv/record_scanner.hpp"
#include "csv/sniffer.hpp"
#include "transfer/import_plan.hpp"
#include "transfer/parallel_chunks.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;

namespace {

FileFacts facts_of(const std::string& sample) {
  FileFacts f;
  f.source = "data.csv";
  f.encoding.name = "UTF-8";
  f.sniffed = csv::sniff(sample, true, {});
  return f;
}

Relation relation(bool exists, const std::string& schema = "public") {
  Relation r;
  r.schema = schema;
  r.name = "t";
  r.sql_name = "\"" + schema + "\".\"t\"";
  r.exists = exists;
  if (exists) r.columns = {{"id", "integer"}, {"name", "text"}};
  return r;
}

ImportPlan planned(bool exists, unsigned jobs, std::optional<long> max_prepared, bool truncate = false,
                   const std::string& schema = "public") {
  ImportOptions o;
  o.table = "t";
  o.truncate = truncate;
  const Relation target = relation(exists, schema);
  ImportPlan plan = plan_import(o, facts_of("id,name\n1,a\n2,b\n"), target);
  plan_sessions(plan, target, {jobs, max_prepared});
  return plan;
}

bool warns(const ImportPlan& p, const std::string& text) {
  for (const auto& w : p.warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

struct Cut {
  std::vector<Chunk> chunks;
  std::string whole;  // what one COPY would get
};

// Scans `text` in reads of `read` bytes, cutting chunks of `chunk_bytes`.
Cut cut(const std::string& text, std::size_t chunk_bytes, std::size_t read, csv::RecordScanner::Config config) {
  Cut out;
  {
    csv::RecordScanner one(config);
    one.scan(text.data(), text.size(), true, [&](const char* p, std::size_t n) { out.whole.append(p, n); });
  }
  ChunkCutter cutter(chunk_bytes, [&](Chunk&& c) { out.chunks.push_back(std::move(c)); });
  config.hook = &cutter;
  config.set_aside_bad = false;
  csv::RecordScanner scanner(config);
  const csv::RecordScanner::Sink sink = [&](const char* p, std::size_t n) { cutter.write(p, n); };
  std::string buf;
  for (std::size_t at = 0; at < text.size(); at += read) {
    buf += text.substr(at, read);
    buf.erase(0, scanner.scan(buf.data(), buf.size(), false, sink));
  }
  scanner.scan(buf.data(), buf.size(), true, sink);
  cutter.finish(scanner.records());
  return out;
}

}  // namespace

TEST_CASE("plan_sessions: one session unless --jobs asks for more") {
  auto p = planned(false, 1, std::nullopt);
  CHECK(p.jobs == 1);
  CHECK(p.method == LoadMethod::single);
  CHECK(p.warnings.empty());
}

TEST_CASE("plan_sessions: a new table is loaded under a hidden name and renamed") {
  auto p = planned(false, 4, std::nullopt);
  CHECK(p.jobs == 4);
  CHECK(p.method == LoadMethod::rename);
  CHECK(std::string(to_string(p.method)) == "rename");
}

TEST_CASE("plan_sessions: an existing table takes two-phase commit when the server allows N prepared transactions") {
  auto p = planned(true, 3, 3);
  CHECK(p.jobs == 3);
  CHECK(p.method == LoadMethod::two_phase);
  CHECK(std::string(to_string(p.method)) == "two-phase");
  CHECK(p.to_json().dump().find("two-phase") != std::string::npos);
}

TEST_CASE("plan_sessions: too few prepared transactions: one session, and the warning names the setting") {
  for (std::optional<long> max : {std::optional<long>(0), std::optional<long>(2), std::optional<long>()}) {
    auto p = planned(true, 3, max);
    CHECK(p.jobs == 1);
    CHECK(p.method == LoadMethod::single);
    CHECK(warns(p, "max_prepared_transactions >= 3"));
    CHECK(warns(p, "one session"));
  }
}

TEST_CASE("plan_sessions: --truncate on an existing table and a temporary table take one session, saying why") {
  auto p = planned(true, 2, 10, true);
  CHECK(p.method == LoadMethod::single);
  CHECK(warns(p, "TRUNCATE's lock"));
  auto created = planned(false, 2, std::nullopt, true);  // nothing to truncate in a new table
  CHECK(created.method == LoadMethod::rename);
  auto temp = planned(false, 2, std::nullopt, false, "pg_temp_3");
  CHECK(temp.method == LoadMethod::single);
  CHECK(warns(temp, "temporary table"));
}

TEST_CASE("plan_hidden_table: the new table's DDL and COPY under load_marks' hidden name") {
  ImportOptions o;
  o.table = "t";
  const Relation target = relation(false);
  const FileFacts file = facts_of("id,name\n1,a\n");
  ImportPlan plan = plan_import(o, file, target);
  plan_sessions(plan, target, {2, std::nullopt});
  plan_hidden_table(plan, o, file, target, {4242, 1700000000});
  CHECK(plan.load_table == "public.pgmonkey_load_4242_1700000000_t");
  CHECK(plan.load_ddl == "CREATE TABLE \"public\".\"pgmonkey_load_4242_1700000000_t\" (\"id\" text, \"name\" text)");
  CHECK(plan.load_copy_sql.rfind("COPY \"public\".\"pgmonkey_load_4242_1700000000_t\" (\"id\", \"name\")", 0) == 0);
  CHECK(plan.ddl == "CREATE TABLE \"public\".\"t\" (\"id\" text, \"name\" text)");  // the final name stays
}

TEST_CASE("ChunkLines: runs of one-line records, and records of several lines") {
  ChunkLines lines;
  lines.add(1, 10);
  lines.add(2, 11);
  lines.add(3, 12);
  lines.add(5, 13);  // lines 13-14, COPY lines 4-5
  lines.add(6, 16);  // a blank line 15 skipped
  CHECK(lines.entries() == 3);
  CHECK(lines.line_of(1) == 10u);
  CHECK(lines.line_of(3) == 12u);
  CHECK(lines.line_of(4) == 13u);  // inside the two-line record: it starts on 13
  CHECK(lines.line_of(5) == 13u);
  CHECK(lines.line_of(6) == 16u);
  CHECK(!lines.line_of(7));
}

TEST_CASE("ChunkCutter: whole records, the same bytes as one COPY, every record's start line") {
  // Quoted line breaks, multibyte characters, a blank line; reads of 7 bytes split all of them.
  std::string text = "id,name\n";
  std::vector<std::uint64_t> starts;
  std::uint64_t line = 2;
  for (int i = 1; i <= 60; ++i) {
    std::string rec = i % 5 == 0 ? std::to_string(i) + ",\"two\nlines ü€\"\n" : std::to_string(i) + ",näme 𝄞\n";
    if (i == 30) {
      text += "\n";
      ++line;
    }
    starts.push_back(line);
    for (char c : rec) line += c == '\n';
    text += rec;
  }
  csv::RecordScanner::Config config;
  config.expected_fields = 2;
  config.skip_header = true;
  for (std::size_t chunk_bytes : {1u, 20u, 50u, 4096u}) {
    CAPTURE(chunk_bytes);
    Cut c = cut(text, chunk_bytes, 7, config);
    std::string joined;
    std::uint64_t records = 0;
    std::size_t record = 0;
    for (std::size_t i = 0; i < c.chunks.size(); ++i) {
      const Chunk& chunk = c.chunks[i];
      CHECK(chunk.index == i);
      joined += chunk.data;
      records += chunk.records;
      // COPY numbers a chunk's lines from 1: each record's end line maps back to its start.
      std::uint64_t copy_line = 0;
      for (std::uint64_t r = 0; r < chunk.records; ++r, ++record) {
        const bool two = (record + 1) % 5 == 0;
        copy_line += (two && r > 0) ? 2 : 1;  // the first record of a COPY: quoted LFs not counted
        CHECK(chunk.lines.line_of(copy_line) == starts[record]);
      }
    }
    CHECK(joined == c.whole);
    CHECK(records == 60);
    if (chunk_bytes == 1) CHECK(c.chunks.size() == 60);
  }
}

TEST_CASE("ChunkCutter: a bad record still throws with the scanner's message, hint and line") {
  csv::RecordScanner::Config config;
  config.expected_fields = 2;
  config.skip_header = true;
  CHECK_THROWS_WITH_AS(cut("a,b\n1,2\n3,4,5\n", 4, 3, config), "expected 2 fields, found 3", csv::DataError);
  try {
    cut("a,b\n1,2\n3,\"x\xff\"\n", 4, 3, config);
    FAIL("no error");
  } catch (const csv::DataError& e) {
    CHECK(e.line() == 3);
    CHECK(std::string(e.hint()).find("--encoding") != std::string::npos);
  }
}

TEST_CASE("ChunkQueue: bounded, in order, closed and stopped") {
  ChunkQueue q(2);
  Chunk a, b;
  a.index = 0;
  b.index = 1;
  q.push(std::move(a), {});
  q.push(std::move(b), {});
  int polls = 0;
  Chunk c;
  CHECK_THROWS_AS(q.push(std::move(c),
                         [&] {
                           if (++polls == 2) throw std::runtime_error("full");
                         }),
                  std::runtime_error);
  CHECK(q.pop()->index == 0);
  q.close();
  CHECK(q.pop()->index == 1);
  CHECK(!q.pop());
  ChunkQueue s(1);
  s.stop();
  Chunk d;
  s.push(std::move(d), {});
  CHECK(!s.pop());
}

TEST_CASE("ChunkCutter for --max-errors: the records as read, bad ones and skipped blank lines kept in place") {
  const std::string body = "1,a\n2,\"x\ny\"\n\n\n3,b,extra\n4,c\n\n5,d\n";  // blank lines, a bad record
  const std::string text = "id,name\n" + body;
  csv::RecordScanner::Config config;
  config.expected_fields = 2;
  config.skip_header = true;
  for (std::size_t chunk_bytes : {1u, 12u, 4096u}) {
    CAPTURE(chunk_bytes);
    std::vector<Chunk> chunks;
    ChunkCutter cutter(chunk_bytes, [&](Chunk&& c) { chunks.push_back(std::move(c)); });
    auto c = config;
    c.hook = &cutter;
    csv::RecordScanner scanner(c);
    cutter.collect_raw(&scanner, csv::LineEnding::lf);
    std::string buf;
    const csv::RecordScanner::Sink sink = [&](const char* p, std::size_t n) { cutter.write(p, n); };
    for (std::size_t at = 0; at < text.size(); at += 5) {
      buf += text.substr(at, 5);
      buf.erase(0, scanner.scan(buf.data(), buf.size(), false, sink));
    }
    scanner.scan(buf.data(), buf.size(), true, sink);
    cutter.finish(scanner.records());
    CHECK(cutter.header() == "id,name\n");
    std::string joined;
    for (const auto& chunk : chunks) {
      // Each chunk is the file's text from the start of the line it says it starts on.
      std::size_t offset = 0;
      for (std::uint64_t line = 1; line < chunk.first_line; ++line) offset = text.find('\n', offset) + 1;
      CHECK(text.compare(offset, chunk.data.size(), chunk.data) == 0);
      joined += chunk.data;
    }
    std::uint64_t records = 0;
    for (const auto& chunk : chunks) records += chunk.records;
    CHECK(records == 5);                            // the bad record too
    if (chunks.size() == 1) CHECK(joined == body);  // blank lines inside a chunk are put back
  }
}
