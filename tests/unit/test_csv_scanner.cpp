// The streaming record scanner: boundaries, line numbers, validation, chunking.
#include <doctest/doctest.h>

#include <string>

#include "csv/record_scanner.hpp"

using pgmonkey::csv::DataError;
using pgmonkey::csv::LineEnding;
using pgmonkey::csv::RecordScanner;

namespace {

struct Run {
  std::string sent;
  RecordScanner scanner;
  explicit Run(RecordScanner::Config c) : scanner(c) {}
};

// Feeds `data` in pieces of `piece` bytes the way the importer does (keeping the unused tail).
std::string feed(RecordScanner& s, const std::string& data, std::size_t piece) {
  std::string sent, buf;
  RecordScanner::Sink sink = [&](const char* p, std::size_t n) { sent.append(p, n); };
  std::size_t pos = 0;
  while (true) {
    std::size_t take = std::min(piece, data.size() - pos);
    buf.append(data, pos, take);
    pos += take;
    bool end = pos == data.size();
    std::size_t used = s.scan(buf.data(), buf.size(), end, sink);
    buf.erase(0, used);
    if (end) break;
  }
  return sent;
}

RecordScanner::Config cfg(std::size_t fields, bool header = true, LineEnding eol = LineEnding::lf) {
  RecordScanner::Config c;
  c.expected_fields = fields;
  c.skip_header = header;
  c.line_ending = eol;
  return c;
}

std::uint64_t error_line(const std::string& data, RecordScanner::Config c, std::string* message = nullptr) {
  RecordScanner s(c);
  try {
    feed(s, data, 3);
  } catch (const DataError& e) {
    if (message) *message = e.what();
    return e.line();
  }
  return 0;
}

}  // namespace

TEST_CASE("the header and blank lines are not sent; quoted newlines stay in their record") {
  std::string data = "\n\na,b\n1,\"x\ny\"\n\n2,\"q,\"\"r\"\n";
  for (std::size_t piece : {1u, 2u, 5u, 1000u}) {
    RecordScanner s(cfg(2));
    CHECK(feed(s, data, piece) == "1,\"x\ny\"\n2,\"q,\"\"r\"\n");
    CHECK(s.records() == 2);
    CHECK(s.blank_lines() == 1);  // the one between records; the leading two are expected
    CHECK(s.first_blank_line() == 6);
  }
  RecordScanner trailing(cfg(1));
  CHECK(feed(trailing, "name\nalice\n\n\n", 3) == "alice\n");
  CHECK(trailing.blank_lines() == 0);  // blank lines at the end are not between records
}

TEST_CASE("COPY's line numbers map back to the file's lines") {
  // file lines: 1 header, 2 "1,a", 3-4 multi-line, 5 blank, 6 "3,c"
  RecordScanner s(cfg(2));
  feed(s, "h1,h2\n1,a\n2,\"b\nb\"\n\n3,c\n", 4);
  CHECK(*s.line_map().line_of(1) == 2);
  CHECK(*s.line_map().line_of(3) == 3);  // COPY counts the quoted newline: the record ends on its line 3
  CHECK(*s.line_map().line_of(4) == 6);
}

TEST_CASE("COPY does not count LF line breaks inside the first record it is sent") {
  RecordScanner s(cfg(2));
  feed(s, "h1,h2\n1,\"a\nb\"\n2,c\n3,\"d\ne\"\n", 3);
  CHECK(*s.line_map().line_of(1) == 2);
  CHECK(*s.line_map().line_of(2) == 4);
  CHECK(*s.line_map().line_of(4) == 5);
}

TEST_CASE("CRLF and CR line endings") {
  RecordScanner crlf(cfg(2, true, LineEnding::crlf));
  CHECK(feed(crlf, "a,b\r\n1,\"x\r\ny\"\r\n\r\n2,z\r\n", 2) == "1,\"x\r\ny\"\r\n2,z\r\n");
  CHECK(crlf.records() == 2);
  RecordScanner cr(cfg(2, false, LineEnding::cr));
  CHECK(feed(cr, "1,2\r3,4", 1) == "1,2\r3,4");
  CHECK(cr.records() == 2);
}

TEST_CASE("mixed line endings are an error at their line") {
  CHECK(error_line("a,b\n1,2\r\n3,4\n", cfg(2)) == 2);
  CHECK(error_line("a,b\r\n1,2\n", cfg(2, true, LineEnding::crlf)) == 2);
}

TEST_CASE("ragged rows, unterminated quotes, NUL and bad UTF-8 name their line") {
  std::string msg;
  CHECK(error_line("a,b\n1,2\n3\n", cfg(2), &msg) == 3);
  CHECK(msg == "expected 2 fields, found 1");
  CHECK(error_line("a,b\n1,2\n3,4,5\n", cfg(2)) == 3);
  CHECK(error_line("a,b\n1,2\n3,\"4\n5,6\n", cfg(2), &msg) == 3);
  CHECK(msg.find("unterminated") != std::string::npos);
  CHECK(error_line(std::string("a,b\n1,2\n3,x\0y\n", 14), cfg(2), &msg) == 3);
  CHECK(msg.find("NUL") != std::string::npos);
  CHECK(error_line("a,b\n1,\"x\ny\"\n3,\xC3\n", cfg(2)) == 4);
  CHECK(error_line("a,b\n1,\xED\xA0\x80\n", cfg(2)) == 2);  // a surrogate
  CHECK(error_line("a,b\n1,\xC0\xAF\n", cfg(2)) == 2);      // overlong
  CHECK(error_line("a,b\n1,caf\xC3\xA9\n", cfg(2)) == 0);
}

TEST_CASE("a record that is just \\. is sent quoted so COPY does not stop there") {
  RecordScanner s(cfg(1));
  CHECK(feed(s, "a\n\\.\nb\n", 100) == "\"\\.\"\nb\n");
  CHECK(s.records() == 2);
}

TEST_CASE("without expected_fields the first record sets the count; no final newline is fine") {
  RecordScanner s(cfg(0, false));
  CHECK(feed(s, "1,2,3\n4,5,6", 2) == "1,2,3\n4,5,6");
  CHECK(s.fields() == 3);
  CHECK(s.records() == 2);
}

TEST_CASE("a second pass finds one COPY line without keeping a map") {
  auto c = cfg(2);
  c.find_copy_line = 3;
  RecordScanner s(c);
  feed(s, "h1,h2\n1,a\n2,\"b\nb\"\n\n3,c\n", 4);
  CHECK(*s.line_map().line_of(3) == 3);
  CHECK(s.line_map().entries() == 0);  // nothing else kept
}
