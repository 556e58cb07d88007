// --max-errors' batching without a server: the record scanner feeds a RejectSink whose batches go
// to a fake target that refuses records the way COPY does (by line) or at the end (no line).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "csv/record_scanner.hpp"
#include "transfer/reject_sink.hpp"

using pgmonkey::csv::RecordScanner;
using pgmonkey::transfer::BatchTarget;
using pgmonkey::transfer::Refusal;
using pgmonkey::transfer::Rejected;
using pgmonkey::transfer::RejectLimitExceeded;
using pgmonkey::transfer::RejectSink;

namespace {

// What a load cost the server: COPYs, round trips (as the database target chains them: a COPY
// after one that went in starts with that one's verdict), records it read.
struct Cost {
  int round_trips = 0;
  std::size_t rows_read = 0;
  bool chained = false;
};

// One record per line. "bad" is refused with its COPY line; "late" without a line (a check at
// the end of the statement); a batch that goes in is kept.
struct FakeTarget : BatchTarget {
  std::vector<std::string>* committed;
  int* batches;
  Cost* cost;
  std::string data;
  FakeTarget(std::vector<std::string>* c, int* b, Cost* k) : committed(c), batches(b), cost(k) {}
  void begin() override {
    data.clear();
    ++*batches;
    if (!cost->chained) ++cost->round_trips;
    cost->chained = false;
  }
  void send(const char* p, std::size_t n) override { data.append(p, n); }
  bool refused() override { return false; }
  std::optional<Refusal> end() override {
    ++cost->round_trips;
    std::vector<std::string> lines;
    std::size_t from = 0;
    bool late = false;
    for (std::size_t i = 0; i < data.size(); ++i)
      if (data[i] == '\n') {
        lines.push_back(data.substr(from, i - from));
        from = i + 1;
      }
    for (std::size_t i = 0; i < lines.size(); ++i) {
      ++cost->rows_read;
      if (lines[i].find("bad") != std::string::npos) return Refusal{i + 1, "v", "invalid", "", "22P02"};
      if (lines[i].find("late") != std::string::npos) late = true;
    }
    if (late) return Refusal{std::nullopt, "", "violates foreign key", "", "23503"};
    committed->insert(committed->end(), lines.begin(), lines.end());
    cost->chained = true;
    return std::nullopt;
  }
  void abort() noexcept override {}
};

struct Load {
  std::vector<std::string> committed;
  std::vector<Rejected> rejects;
  int batches = 0;
  Cost cost;
  std::string header;
  std::uint64_t rejected = 0;

  // Loads `text` (a header line "k,v" then records) with up to `max_errors` rejects.
  void run(const std::string& text, std::uint64_t max_errors, RejectSink::Limits limits = {}) {
    RejectSink sink(
        std::make_unique<FakeTarget>(&committed, &batches, &cost), max_errors,
        [&](const Rejected& r) { rejects.push_back(r); }, [&](std::string_view h) { header = std::string(h); }, limits);
    RecordScanner::Config c;
    c.skip_header = true;
    c.hook = &sink;
    RecordScanner scanner(c);
    scanner.scan(text.data(), text.size(), true, [&](const char* p, std::size_t n) { sink.write(p, n); });
    sink.finish(scanner.records());
    rejected = sink.rejected();
  }
};

// `n` records of about 90 bytes (like the bench's) with "bad" at the given 1-based numbers.
std::string wide_rows(int n, const std::vector<int>& bad) {
  std::string s = "k,v\n";
  std::size_t b = 0;
  for (int i = 1; i <= n; ++i) {
    bool is_bad = b < bad.size() && bad[b] == i;
    b += is_bad;
    s += std::to_string(i) + "," + (is_bad ? "bad" : "ok") + std::string(80, 'x') + "\n";
  }
  return s;
}

std::string rows(int n, int bad_every, const char* bad = "bad") {
  std::string s = "k,v\n";
  for (int i = 1; i <= n; ++i)
    s += std::to_string(i) + "," + (bad_every && i % bad_every == 0 ? std::string(bad) : "ok") + "\n";
  return s;
}

}  // namespace

TEST_CASE("a clean load is one batch") {
  Load l;
  l.run(rows(1000, 0), 10);
  CHECK(l.committed.size() == 1000);
  CHECK(l.batches == 1);
  CHECK(l.rejects.empty());
  CHECK(l.header == "k,v\n");
}

TEST_CASE("refused records are set aside in file order, the rest goes in once, in order") {
  Load l;
  l.run(rows(100, 7), 100);
  REQUIRE(l.rejects.size() == 14);
  CHECK(l.committed.size() == 86);
  for (std::size_t i = 0; i < l.rejects.size(); ++i) {
    CHECK(l.rejects[i].line == 2 + 7 * (i + 1) - 1);  // header on line 1: record r on line r+1
    CHECK(l.rejects[i].raw == std::to_string(7 * (i + 1)) + ",bad\n");
    CHECK(l.rejects[i].sqlstate == "22P02");
  }
  for (std::size_t i = 1; i < l.committed.size(); ++i) CHECK(std::stoi(l.committed[i - 1]) < std::stoi(l.committed[i]));
}

TEST_CASE("a refusal without a line is narrowed down by halving") {
  Load l;
  l.run(rows(64, 20, "late"), 10);
  REQUIRE(l.rejects.size() == 3);
  CHECK(l.rejects[0].raw == "20,late\n");
  CHECK(l.rejects[2].raw == "60,late\n");
  CHECK(l.committed.size() == 61);
}

TEST_CASE("client-side rejects are never sent") {
  Load l;
  l.run("k,v\n1,a\n2\n3,\"x\"y\"\n4,b\n", 5);
  CHECK(l.committed == std::vector<std::string>{"1,a", "4,b"});
  REQUIRE(l.rejects.size() == 2);
  CHECK(l.rejects[0].raw == "2\n");
  CHECK(l.rejects[0].message == "expected 2 fields, found 1");
  CHECK(l.rejects[1].raw == "3,\"x\"y\"\n");
  CHECK(l.rejects[1].line == 4);
  CHECK(l.rejects[1].column == "7");  // the second quote after x
}

TEST_CASE("more rejects than allowed: the first one over the limit, in file order, ends it") {
  Load l;
  // A client reject (line 4) comes before the server's refusals are known; the limit still
  // counts in file order: lines 3 (server), 4 (client), 6 (server) → the third is line 6.
  CHECK_THROWS_AS(l.run("k,v\n1,a\n2,bad\n3\n4,b\n5,bad\n6,c\n7\n8\n", 2), RejectLimitExceeded);
  REQUIRE(l.rejects.size() == 3);
  CHECK(l.rejects[0].line == 3);
  CHECK(l.rejects[1].line == 4);
  CHECK(l.rejects[2].line == 6);
}

TEST_CASE("clustered errors cost a bounded number of batches") {
  Load l;
  RejectSink::Limits small;
  small.max_batch_bytes = 4096;
  small.min_batch_bytes = 1024;
  l.run(rows(10000, 10), 100000, small);
  CHECK(l.rejects.size() == 1000);
  CHECK(l.committed.size() == 9000);
  CHECK(l.batches < 3000);  // far from one batch per row per error
}

// 1% bad records, evenly spread and at random: each costs about three round trips (the refused
// COPY's verdict, the retry's start, one more batch) and the server reads each record about
// one and a half times. Sending the records before a refusal alone and then the rest in
// separate statements cost twice the round trips; resending all of them with each retry
// makes the reads grow with the square of the errors in a batch.
TEST_CASE("dense errors cost about three round trips each") {
  std::vector<int> even, scattered;
  for (int i = 50; i <= 50000; i += 100) even.push_back(i);
  std::uint32_t x = 12345;
  for (int i = 1; i <= 50000; ++i) {
    x = x * 1103515245u + 12345u;
    if ((x >> 16) % 100 == 0) scattered.push_back(i);
  }
  for (const auto* bad : {&even, &scattered}) {
    CAPTURE(bad->size());
    Load l;
    l.run(wide_rows(50000, *bad), 100000);
    REQUIRE(l.rejects.size() == bad->size());
    CHECK(l.committed.size() == 50000 - bad->size());
    const double errors = static_cast<double>(bad->size());
    CHECK(l.cost.round_trips / errors < 3.6);
    CHECK(l.batches / errors < 2.6);
    CHECK(static_cast<double>(l.cost.rows_read) / 50000 < 1.7);
  }
}

// 10% bad: each still costs a bounded number of round trips, and the records before a refusal
// are not resent with every retry (that read each record eight times).
TEST_CASE("very dense errors do not resend a growing prefix") {
  std::vector<int> bad;
  for (int i = 5; i <= 20000; i += 10) bad.push_back(i);
  Load l;
  l.run(wide_rows(20000, bad), 100000);
  REQUIRE(l.rejects.size() == bad.size());
  CHECK(l.committed.size() == 20000 - bad.size());
  CHECK(l.cost.round_trips / static_cast<double>(bad.size()) < 2.6);
  CHECK(static_cast<double>(l.cost.rows_read) / 20000 < 4);
}
