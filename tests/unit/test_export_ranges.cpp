// pgexport --jobs without a server: block ranges, their COPY text, the session choice in the
// plan, and the ordered, bounded hand-over from the sessions to the writer.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "transfer/export_plan.hpp"
#include "transfer/export_ranges.hpp"
#include "transfer/ordered_chunks.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;

namespace {

ExportFacts big_table(char kind = 'r') {
  ExportFacts f;
  f.relation.exists = true;
  f.relation.oid = "16384";
  f.relation.schema = "public";
  f.relation.name = "t";
  f.relation.relkind = kind;
  f.relation.columns = {{"id", "integer"}, {"Twice", "integer", true}, {"note", "text"}};
  f.server_encoding = "UTF8";
  f.block_size = 8192;
  f.relation_blocks = 2000;  // 15.6 MB
  f.server_version = 150004;
  return f;
}

ExportRequest jobs(int n) {
  ExportRequest r;
  r.table = "public.t";
  r.jobs = n;
  return r;
}

}  // namespace

TEST_CASE("split_blocks: consecutive ranges from block 0, the last one open-ended") {
  auto r = split_blocks(10, 4);
  REQUIRE(r.size() == 3);
  CHECK(r[0].first == 0);
  CHECK(r[0].end == 4u);
  CHECK(r[1].first == 4);
  CHECK(r[1].end == 8u);
  CHECK(r[2].first == 8);
  CHECK_FALSE(r[2].end.has_value());
  CHECK(split_blocks(8, 4).size() == 2);  // no empty range at the end
  CHECK(split_blocks(0, 4).size() == 1);
  CHECK_FALSE(split_blocks(0, 4)[0].end.has_value());
  CHECK(split_blocks(3, 0).size() == 3);  // a zero size is one block
}

TEST_CASE("range_copy_sql: a TID range per range, every column named, no bound where none is needed") {
  CopyRelation src{"my schema", "T", 'r', {}};
  CopyFormat f;
  std::vector<std::string> cols{"id", "Note"};
  CHECK(range_copy_sql(src, cols, f, {0, 256}) ==
        "COPY (SELECT \"id\", \"Note\" FROM ONLY \"my schema\".\"T\" WHERE ctid < '(256,0)') TO STDOUT WITH (FORMAT csv, "
        "HEADER true, DELIMITER ',', QUOTE '\"', ENCODING 'UTF8')");
  f.header = false;
  CHECK(range_copy_sql(src, cols, f, {256, 512})
            .find("WHERE ctid >= '(256,0)' AND ctid < '(512,0)') TO STDOUT "
                  "WITH (FORMAT csv, HEADER false") != std::string::npos);
  CHECK(range_copy_sql(src, cols, f, {512, std::nullopt}).find("WHERE ctid >= '(512,0)') TO") != std::string::npos);
  CHECK(range_copy_sql(src, cols, f, {0, std::nullopt}).find("WHERE") == std::string::npos);
}

TEST_CASE("plan_export --jobs: a big table is split, only the first range has the header") {
  auto p = plan_export(jobs(2), big_table());
  CHECK(p.jobs == 2);
  CHECK(p.method() == "block-ranges");
  REQUIRE(p.range_sql.size() == 8);  // 2 MB ranges of 256 blocks over 2000 blocks
  CHECK(p.range_sql[0].find("HEADER true") != std::string::npos);
  for (std::size_t i = 1; i < p.range_sql.size(); ++i) CHECK(p.range_sql[i].find("HEADER false") != std::string::npos);
  // COPY t leaves generated columns out; the ranges' SELECT lists the same columns.
  CHECK(p.range_sql[0].rfind("COPY (SELECT \"id\", \"note\" FROM ONLY \"public\".\"t\" WHERE ctid < '(256,0)')", 0) == 0);
  CHECK(p.range_sql.back().find("ctid >= '(1792,0)') TO") != std::string::npos);
  CHECK(p.jobs_note == "2 sessions in one snapshot, 8 block ranges of 256 blocks");
  CHECK(p.copy_sql.rfind("COPY \"public\".\"t\" TO", 0) == 0);  // the one-session statement is still there

  auto req = jobs(4);
  req.columns = {"twice", "id"};  // chosen columns, generated ones included, in the order asked
  req.force_quote = {"*"};
  req.dialect.null_string = "\\N";
  p = plan_export(req, big_table());
  CHECK(p.range_sql[3].rfind("COPY (SELECT \"Twice\", \"id\" FROM", 0) == 0);
  CHECK(p.range_sql[3].find("NULL  E'\\\\N', FORCE_QUOTE *") != std::string::npos);
  CHECK(p.jobs == 4);
}

TEST_CASE("plan_export --jobs: one session where blocks cannot be split, with the reason") {
  CHECK(plan_export(jobs(1), big_table()).method() == "single");
  CHECK(plan_export(jobs(1), big_table()).jobs_note.empty());  // nothing to explain without --jobs
  struct Case {
    char kind;
    const char* why;
  };
  for (auto c :
       {Case{'v', "one session: public.t is a view"}, Case{'p', "one session: public.t is a partitioned table"},
        Case{'f', "one session: public.t is a foreign table"}}) {
    CAPTURE(c.kind);
    auto p = plan_export(jobs(2), big_table(c.kind));
    CHECK(p.jobs == 1);
    CHECK(p.method() == "single");
    CHECK(p.range_sql.empty());
    CHECK(p.jobs_note == c.why);
  }
  // A heap, but LOCK TABLE refuses it.
  CHECK(plan_export(jobs(2), big_table('m')).jobs_note == "one session: public.t is a materialized view");

  auto small = big_table();
  small.relation_blocks = 1000;  // 7.8 MB
  auto p = plan_export(jobs(2), small);
  CHECK(p.method() == "single");
  CHECK(p.jobs_note == "one session: public.t is too small to split (7.8 MB, under 8.0 MB)");

  auto old = big_table();
  old.server_version = 130010;
  CHECK(plan_export(jobs(2), old).jobs_note == "one session: the server has no TID range scans before PostgreSQL 14");
}

TEST_CASE("plan_export --jobs: never more sessions than ranges; the range size can be set (tests)") {
  auto f = big_table();
  f.relation_blocks = 30;
  auto req = jobs(8);
  req.range_blocks = 10;
  auto p = plan_export(req, f);
  CHECK(p.range_sql.size() == 3);
  CHECK(p.jobs == 3);
  f.relation_blocks = 19;  // under two ranges
  CHECK(plan_export(req, f).method() == "single");
}

TEST_CASE("OrderedChunks: ranges come out in order however the workers finish") {
  OrderedChunks q(3, 2, 1 << 20);
  CHECK(q.take_range() == 0u);
  CHECK(q.take_range() == 1u);
  CHECK(q.push(1, 1, "b1"));
  q.finish_range(1, 10);
  CHECK(q.take_range() == 2u);
  CHECK_FALSE(q.take_range().has_value());
  CHECK(q.push(1, 2, "c1"));
  q.finish_range(2, 5);
  CHECK(q.push(0, 0, "a1"));
  CHECK(q.push(0, 0, "a2"));
  q.finish_range(0, 1);
  std::string out, chunk;
  while (q.pop(chunk, [] {})) out += chunk + "|";
  CHECK(out == "a1|a2|b1|c1|");
  CHECK(q.rows_done() == 16);
  CHECK(q.complete());
  CHECK(q.queued_bytes() == 0);
}

TEST_CASE("OrderedChunks: a worker holding too much waits for the writer, on the head range too") {
  OrderedChunks q(2, 2, 4);
  REQUIRE(q.take_range() == 0u);
  REQUIRE(q.take_range() == 1u);
  CHECK(q.push(1, 1, "1234"));  // reaches the limit
  std::atomic<bool> second_in{false}, head_in{false};
  std::thread ahead([&] {
    CHECK(q.push(1, 1, "5678"));  // waits until the writer has taken range 1's first chunk
    second_in = true;
    q.finish_range(1, 2);
  });
  std::thread head([&] {
    // A range of big values can be far more CSV than table: the head waits as well.
    for (int i = 0; i < 5; ++i) CHECK(q.push(0, 0, std::string(100, 'a')));
    head_in = true;
    q.finish_range(0, 1);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(second_in.load());
  CHECK_FALSE(head_in.load());
  CHECK(q.queued_bytes() == 104);  // one head chunk and range 1's first: no more until the writer takes
  std::string out, chunk;
  while (q.pop(chunk, [] {})) out += chunk;
  ahead.join();
  head.join();
  CHECK(out == std::string(500, 'a') + "12345678");
  CHECK(q.rows_done() == 3);
}

TEST_CASE("OrderedChunks: a worker's failure reaches the writer and releases waiting workers") {
  OrderedChunks q(3, 2, 1);
  REQUIRE(q.take_range() == 0u);
  REQUIRE(q.take_range() == 1u);
  CHECK(q.push(1, 1, "x"));
  std::thread waiting([&] { CHECK_FALSE(q.push(1, 1, "y")); });
  q.fail(std::make_exception_ptr(JobError("lost the connection to the server")));
  waiting.join();
  std::string chunk;
  CHECK_THROWS_WITH_AS(q.pop(chunk, [] {}), "lost the connection to the server", JobError);
  CHECK_FALSE(q.take_range().has_value());
  CHECK_FALSE(q.complete());
}

TEST_CASE("OrderedChunks: the writer polls while it waits, and the poll may end the run") {
  OrderedChunks q(1, 1, 1 << 20);
  REQUIRE(q.take_range() == 0u);
  int polls = 0;
  std::string chunk;
  CHECK_THROWS_AS(q.pop(
                      chunk,
                      [&] {
                        if (++polls == 3) throw InterruptedError();
                      },
                      std::chrono::milliseconds(1)),
                  InterruptedError);
  CHECK(polls == 3);
}
