// The streaming record scanner: boundaries, line numbers, validation, chunking.
#include <doctest/doctest.h>

#include <algorithm>
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
  std::string data = "\n\na,b\n1,\"x\ny\"\n\n2,\"q,\"\"r\"\n\n";
  for (std::size_t piece : {1u, 2u, 5u, 1000u}) {
    RecordScanner s(cfg(2));
    CHECK(feed(s, data, piece) == "1,\"x\ny\"\n2,\"q,\"\"r\"\n");
    CHECK(s.records() == 2);
    CHECK(s.blank_lines() == 4);  // every one counts: leading, between and trailing
    CHECK(s.first_blank_line() == 1);
  }
}

TEST_CASE("in a one-column file a blank line is a record (COPY reads a NULL), except before the header") {
  for (std::size_t piece : {1u, 3u, 1000u}) {
    RecordScanner s(cfg(1));
    CHECK(feed(s, "\nname\nalice\n\n\"\"\n\n", piece) == "alice\n\n\"\"\n\n");
    CHECK(s.records() == 4);
    CHECK(s.blank_lines() == 1);
    CHECK(s.first_blank_line() == 1);
    RecordScanner only(cfg(1, false));
    CHECK(feed(only, "\n\n\n", piece) == "\n\n\n");
    CHECK(only.records() == 3);
  }
}

TEST_CASE("a quote inside an unquoted field is an error naming its line and column") {
  for (std::size_t piece : {1u, 4u, 1000u}) {
    RecordScanner s(cfg(3, false));
    try {
      feed(s, "1,ok,2\n1,This \"quotes\" must be escaped,3\n", piece);
      FAIL("no error");
    } catch (const DataError& e) {
      CHECK(e.line() == 2);
      CHECK(e.column() == 8);
      CHECK(std::string(e.what()).find("inside an unquoted field") != std::string::npos);
      CHECK(e.hint().find("--quote") != std::string::npos);
    }
  }
  // Quoted fields, doubled quotes and quotes after a quoted line break are fine; columns count characters.
  CHECK(error_line("a,b\n\"x\"\"y\",\"\"\n\"p\nq\",z\n", cfg(2)) == 0);
  RecordScanner s(cfg(2, false));
  try {
    feed(s, "\"a\nbé\",c\"d\n", 2);
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(e.line() == 2);
    CHECK(e.column() == 6);
  }
}

TEST_CASE("the record size limit holds on every byte, also without any delimiter") {
  auto c = cfg(1, false);
  c.max_record_bytes = 1 << 20;
  RecordScanner s(c);
  std::string sent, buf;
  RecordScanner::Sink sink = [&](const char* p, std::size_t n) { sent.append(p, n); };
  std::size_t fed = 0;
  bool refused = false;
  try {
    // A pipe that never ends and never breaks a line: refused right after the limit.
    while (fed < (4u << 20)) {
      buf.append(64 * 1024, 'x');
      fed += 64 * 1024;
      buf.erase(0, s.scan(buf.data(), buf.size(), false, sink));
    }
  } catch (const DataError& e) {
    refused = true;
    CHECK(std::string(e.what()).find("longer than 1 MB") != std::string::npos);
  }
  CHECK(refused);
  CHECK(fed <= (1u << 20) + 64 * 1024);
  auto q = cfg(1, false);
  q.max_record_bytes = 1 << 20;
  RecordScanner quoted(q);
  CHECK_THROWS_AS(feed(quoted, "\"" + std::string(2 << 20, 'y') + "\"\n", 4096), DataError);
}

TEST_CASE("an unfinished record is not scanned again: state carries over between calls") {
  // A CR LF pair split across two reads in a CR-only file is an error on the CR's line.
  CHECK(error_line("1\r2\r\n3\r", cfg(1, false, LineEnding::cr)) == 2);
  RecordScanner s(cfg(1, false, LineEnding::cr));
  std::string sent;
  RecordScanner::Sink sink = [&](const char* p, std::size_t n) { sent.append(p, n); };
  std::string first = "1\r2\r";
  CHECK(s.scan(first.data(), first.size(), false, sink) == first.size());
  std::string second = "\n3\r";
  try {
    s.scan(second.data(), second.size(), true, sink);
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(e.line() == 2);
  }
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

TEST_CASE("a spreadsheet's trailing delimiter: the empty last fields are not sent, a value there is an error") {
  std::string data = "a,b,,\r\n1,\"x,\",,\r\n2,\"y\ny\",,\r\n";
  for (std::size_t piece : {1u, 2u, 7u, 1000u}) {
    auto c = cfg(4, true, LineEnding::crlf);
    c.drop_trailing_fields = 2;
    RecordScanner s(c);
    CHECK(feed(s, data, piece) == "1,\"x,\"\r\n2,\"y\ny\"\r\n");
    CHECK(s.records() == 2);
  }
  auto c = cfg(3);
  c.drop_trailing_fields = 1;
  std::string message;
  CHECK(error_line("a,b,\n1,2,\n3,4,5\n", c, &message) == 3);
  CHECK(message.find("a value in the last 1 field") != std::string::npos);
  CHECK(error_line("a,b,\n1,2,\n3,4,\"\"\n", c) == 3);  // "" is a value (an empty string), not nothing
}
