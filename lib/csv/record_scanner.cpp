// The record scanner's byte loop. Plain ASCII bytes are skipped by a table lookup; only quotes,
// delimiters, line breaks, NUL and non-ASCII bytes take the slow path.
#include "csv/record_scanner.hpp"

#include <fmt/format.h>

#include <cstring>

namespace pgmonkey::csv {
namespace {

enum : unsigned char { kPlain = 0, kSpecial = 1, kHigh = 2 };

const char kEndMarkerQuoted[] = "\"\\.\"";

}  // namespace

RecordScanner::RecordScanner(Config config)
    : config_(config),
      map_(config.find_copy_line ? LineMap::only(config.find_copy_line) : LineMap()),
      header_pending_(config.skip_header) {
  for (int b = 0; b < 256; ++b) class_[b] = b >= 0x80 ? kHigh : kPlain;
  for (unsigned char c :
       {static_cast<unsigned char>(config_.delimiter), static_cast<unsigned char>(config_.quote),
        static_cast<unsigned char>('\n'), static_cast<unsigned char>('\r'), static_cast<unsigned char>('\0')})
    class_[c] = kSpecial;
}

void RecordScanner::fail_utf8() const {
  throw DataError(line_, "invalid UTF-8 byte sequence",
                  "the file is not valid UTF-8 here; if it is in another encoding, name it with --encoding");
}

void RecordScanner::fail_eol(const char* found) const {
  // Called after the break was counted: it belongs to the line before.
  throw DataError(
      line_ - 1,
      fmt::format("{} line break where the file uses {} (mixed line endings)", found, to_string(config_.line_ending)),
      "make the line endings consistent, e.g. with dos2unix, or quote the field");
}

void RecordScanner::end_record(const unsigned char* rec_begin, const unsigned char* rec_end, const unsigned char* next,
                               std::uint64_t last_line, const Sink& sink) {
  if (empty_) {
    // A blank line: not sent.
    if (rec_begin > send_from_) sink(reinterpret_cast<const char*>(send_from_), rec_begin - send_from_);
    send_from_ = next;
    if (started_ && pending_blanks_++ == 0) pending_first_ = record_line_;
  } else if (header_pending_) {
    started_ = true;
    header_pending_ = false;
    if (config_.expected_fields == 0) config_.expected_fields = fields_;
    if (rec_begin > send_from_) sink(reinterpret_cast<const char*>(send_from_), rec_begin - send_from_);
    send_from_ = next;
  } else {
    if (config_.expected_fields == 0) config_.expected_fields = fields_;
    if (fields_ != config_.expected_fields)
      throw DataError(record_line_,
                      fmt::format("expected {} field{}, found {}", config_.expected_fields,
                                  config_.expected_fields == 1 ? "" : "s", fields_),
                      fields_ > config_.expected_fields
                          ? "check the delimiter (--delimiter), the quote character (--quote) and that fields holding "
                            "the delimiter are quoted"
                          : "a field may hold an unquoted line break, or the row is short");
    ++records_;
    started_ = true;
    if (pending_blanks_) {
      if (blank_lines_ == 0) first_blank_line_ = pending_first_;
      blank_lines_ += pending_blanks_;
      pending_blanks_ = 0;
    }
    // COPY numbers a record by the line it ends on in what it was sent: one per record plus
    // each quoted line break of the file's line-ending kind (LF, or CR for CR and CRLF files).
    // Before the first record's end it does not know that kind yet and counts only CRs.
    sent_lines_ += 1 + embedded_breaks_;
    first_pending_ = false;
    map_.add(sent_lines_, record_line_, last_line);
    // A record that is just \. would end COPY early; send it quoted so it stays data.
    if (rec_end - rec_begin == 2 && rec_begin[0] == '\\' && rec_begin[1] == '.') {
      if (rec_begin > send_from_) sink(reinterpret_cast<const char*>(send_from_), rec_begin - send_from_);
      sink(kEndMarkerQuoted, sizeof(kEndMarkerQuoted) - 1);
      send_from_ = rec_end;
    }
  }
  fields_ = 1;
  embedded_breaks_ = 0;
  in_quote_ = false;
  empty_ = true;
  record_line_ = line_;
}

std::size_t RecordScanner::scan(const char* data, std::size_t size, bool at_end, const Sink& sink) {
  const auto* base = reinterpret_cast<const unsigned char*>(data);
  const unsigned char* p = base;
  const unsigned char* end = base + size;
  const unsigned char* rec_begin = base;
  const unsigned char quote = static_cast<unsigned char>(config_.quote);
  const unsigned char delim = static_cast<unsigned char>(config_.delimiter);
  const bool lf_mode = config_.line_ending == LineEnding::lf;
  const bool cr_mode = config_.line_ending == LineEnding::cr;
  send_from_ = base;

  while (p < end) {
    if (expect_lf_) {
      if (*p != '\n') fail_eol("a carriage return without a line feed,");
      expect_lf_ = false;
    }
    if (utf8_.need == 0) {
      const unsigned char* q = p;
      while (q < end && class_[*q] == kPlain) ++q;
      if (q != p) {
        empty_ = false;
        p = q;
        if (p == end) break;
      }
    }
    unsigned char b = *p;
    if (utf8_.need != 0 || b >= 0x80) {
      if (!utf8_.step(b)) fail_utf8();
      empty_ = false;
      ++p;
      continue;
    }
    if (b == quote) {
      in_quote_ = !in_quote_;
      empty_ = false;
    } else if (b == delim) {
      if (!in_quote_) ++fields_;
      empty_ = false;
    } else if (b == '\n') {
      bool after_cr = p > base ? p[-1] == '\r' : false;
      if (!after_cr) ++line_;
      if (in_quote_) {
        if (lf_mode && !first_pending_) ++embedded_breaks_;
      } else {
        if (cr_mode) fail_eol("a line feed");
        if (!lf_mode && !after_cr) fail_eol("a bare line feed");
        const unsigned char* rec_end = after_cr ? p - 1 : p;
        end_record(rec_begin, rec_end, p + 1, line_ - 1, sink);
        rec_begin = p + 1;
      }
    } else if (b == '\r') {
      ++line_;
      if (in_quote_) {
        if (!lf_mode || first_pending_) ++embedded_breaks_;
      } else {
        if (lf_mode) fail_eol("a carriage return");
        if (cr_mode) {
          end_record(rec_begin, p, p + 1, line_ - 1, sink);
          rec_begin = p + 1;
        } else {
          expect_lf_ = true;
        }
      }
    } else if (b == '\0') {
      throw DataError(line_, "NUL byte (0x00) in the data", "PostgreSQL text cannot hold NUL; remove it from the file");
    } else {
      empty_ = false;
    }
    ++p;
    if (static_cast<std::size_t>(p - rec_begin) > config_.max_record_bytes)
      throw DataError(record_line_,
                      fmt::format("a record longer than {} MB starts here", config_.max_record_bytes >> 20),
                      "a quote opened in this record may never be closed; if a field really is this large, "
                      "load it with psql's \\copy (pgimport holds one record in memory and stops at this size)");
  }

  if (!at_end) {
    // Hand back the unfinished record; it is scanned again in front of the next data.
    if (rec_begin > send_from_) sink(reinterpret_cast<const char*>(send_from_), rec_begin - send_from_);
    if (rec_begin != end) {
      line_ = record_line_;  // the unfinished record's lines are counted again next time
      fields_ = 1;
      embedded_breaks_ = 0;
      in_quote_ = false;
      empty_ = true;
      expect_lf_ = false;
      utf8_ = encoding::Utf8State{};
    }
    return rec_begin - base;
  }
  if (in_quote_)
    throw DataError(record_line_, "unterminated quoted field: the quote opened in this record is never closed",
                    "close the quote, or set another quote character with --quote");
  if (!utf8_.complete()) fail_utf8();
  if (expect_lf_) fail_eol("a carriage return without a line feed,");
  if (rec_begin != end) end_record(rec_begin, end, end, line_, sink);
  if (end > send_from_) sink(reinterpret_cast<const char*>(send_from_), end - send_from_);
  return size;
}

}  // namespace pgmonkey::csv
