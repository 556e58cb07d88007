// The record scanner's byte loop. Plain ASCII bytes are skipped by a table lookup; only quotes,
// delimiters, line breaks, NUL and non-ASCII bytes take the slow path.
#include "csv/record_scanner.hpp"

#include "csv/number_syntax.hpp"

#include <fmt/format.h>

#include <algorithm>
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

std::uint64_t RecordScanner::quote_column(const unsigned char* rec_begin, const unsigned char* at) const {
  // The column counts characters from the line's start.
  std::uint64_t column = 1;
  for (const unsigned char* c = rec_begin + line_begin_; c < at; ++c)
    if ((*c & 0xC0) != 0x80) ++column;
  return column;
}

void RecordScanner::fail_quote(const unsigned char* rec_begin, const unsigned char* at) const {
  // COPY would drop the quote without a word.
  throw DataError(line_, fmt::format("a quote character ({}) inside an unquoted field", show_char(config_.quote)),
                  fmt::format("fix the file (quote the whole field and double the quotes in it: \"a \"\"b\"\" c\"), "
                              "or pass --quote with a character the file does not use"),
                  quote_column(rec_begin, at));
}

void RecordScanner::bad(std::uint64_t line, std::uint64_t column, std::string message, std::string hint,
                        const char* sqlstate) {
  if (!sets_aside()) throw DataError(line, std::move(message), std::move(hint), column);
  if (bad_) return;
  bad_ = true;
  bad_line_ = line;
  bad_column_ = column;
  bad_message_ = std::move(message);
  bad_hint_ = std::move(hint);
  bad_sqlstate_ = sqlstate;
}

void RecordScanner::fail_too_long() const {
  throw DataError(record_line_, fmt::format("a record longer than {} MB starts here", config_.max_record_bytes >> 20),
                  "a quote opened in this record may never be closed; if a field really is this large, "
                  "load it with psql's \\copy (pgimport holds one record in memory and stops at this size)");
}

// The record's last N fields are empty exactly when it ends in N delimiters: the last one is
// outside quotes (the record ended there), and a quote cannot close between two adjacent bytes.
void RecordScanner::drop_trailing(const unsigned char* rec_begin, const unsigned char* rec_end, const Sink& sink) {
  const std::size_t n = config_.drop_trailing_fields;
  bool empty = static_cast<std::size_t>(rec_end - rec_begin) >= n;
  for (std::size_t i = 1; empty && i <= n; ++i)
    empty = rec_end[-static_cast<std::ptrdiff_t>(i)] == static_cast<unsigned char>(config_.delimiter);
  if (!empty)
    throw DataError(record_line_,
                    fmt::format("a value in the last {} field{}, whose header is empty", n, n == 1 ? "" : "s"),
                    "the empty header field was taken for a spreadsheet's trailing delimiter; give the column a "
                    "name in the header and in the table, or remove the values");
  const unsigned char* cut = rec_end - n;
  if (cut > send_from_) sink(reinterpret_cast<const char*>(send_from_), cut - send_from_);
  send_from_ = rec_end;
}

void RecordScanner::end_record(const unsigned char* rec_begin, const unsigned char* rec_end, const unsigned char* next,
                               std::uint64_t last_line, const Sink& sink) {
  const bool one_column = config_.expected_fields == 1;
  if (bad_ && header_pending_) throw DataError(bad_line_, bad_message_, bad_hint_, bad_column_);
  if (empty_ && (header_pending_ || !one_column)) {
    // A blank line COPY could not load: not sent, counted for the warning.
    if (rec_begin > send_from_) sink(reinterpret_cast<const char*>(send_from_), rec_begin - send_from_);
    send_from_ = next;
    if (blank_lines_++ == 0) first_blank_line_ = record_line_;
  } else if (header_pending_) {
    header_pending_ = false;
    if (config_.expected_fields == 0) config_.expected_fields = fields_;
    if (rec_begin > send_from_) sink(reinterpret_cast<const char*>(send_from_), rec_begin - send_from_);
    send_from_ = next;
    if (config_.hook) {
      ScannedRecord r;
      r.kind = ScannedRecord::Kind::header;
      r.raw = std::string_view(reinterpret_cast<const char*>(rec_begin), static_cast<std::size_t>(next - rec_begin));
      r.line = record_line_;
      config_.hook->on_record(r);
    }
  } else {
    // A blank line in a one-column file gets here too: COPY reads it as a NULL.
    if (config_.expected_fields == 0) config_.expected_fields = fields_;
    if (fields_ != config_.expected_fields)
      bad(record_line_, 0,
          fmt::format("expected {} field{}, found {}", config_.expected_fields, config_.expected_fields == 1 ? "" : "s",
                      fields_),
          fields_ > config_.expected_fields
              ? "check the delimiter (--delimiter), the quote character (--quote) and that fields holding "
                "the delimiter are quoted"
              : "a field may hold an unquoted line break, or the row is short",
          "22P04");
    if (!bad_ && !config_.field_rules.empty() && sets_aside()) judge_fields(rec_begin, rec_end);
    if (bad_) {
      // Not sent: what came before it goes, the record itself is reported.
      if (rec_begin > send_from_) sink(reinterpret_cast<const char*>(send_from_), rec_begin - send_from_);
      send_from_ = next;
      ScannedRecord r;
      r.kind = ScannedRecord::Kind::bad;
      r.raw = std::string_view(reinterpret_cast<const char*>(rec_begin), static_cast<std::size_t>(next - rec_begin));
      r.line = bad_line_;
      r.column = bad_column_;
      r.message = bad_message_;
      r.sqlstate = bad_sqlstate_;
      r.column_name = bad_column_name_;
      config_.hook->on_record(r);
      reset_record();
      return;
    }
    if (config_.drop_trailing_fields > 0) drop_trailing(rec_begin, rec_end, sink);
    ++records_;
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
    if (config_.hook) {
      if (next > send_from_) sink(reinterpret_cast<const char*>(send_from_), next - send_from_);
      send_from_ = next;
      ScannedRecord r;
      r.raw = std::string_view(reinterpret_cast<const char*>(rec_begin), static_cast<std::size_t>(next - rec_begin));
      r.line = record_line_;
      r.copy_lines = 1 + embedded_breaks_;
      r.copy_lines_first = 1 + embedded_crs_;
      config_.hook->on_record(r);
    }
  }
  reset_record();
}

void RecordScanner::reset_record() {
  fields_ = 1;
  embedded_breaks_ = 0;
  embedded_crs_ = 0;
  field_ = Field::start;
  empty_ = true;
  line_begin_ = 0;
  record_line_ = line_;
  bad_ = false;
  bad_column_name_ = {};
}

namespace {

// Over `max` characters (UTF-8), with more than spaces after them: what character varying(max)
// and character(max) refuse.
bool too_long(std::string_view value, std::size_t max) {
  if (value.size() <= max) return false;
  std::size_t chars = 0, i = 0;
  for (; i < value.size(); ++i) {
    if ((static_cast<unsigned char>(value[i]) & 0xC0) == 0x80) continue;
    if (chars++ == max) break;  // i: the first byte past the max-th character
  }
  if (i == value.size()) return false;
  return value.find_first_not_of(' ', i) != std::string_view::npos;
}

}  // namespace

// Splits the record (its quotes are balanced: it was scanned) into values up to the last judged
// field and judges them: the first that cannot be a number, or a NULL for a NOT NULL column,
// sets the record aside with the server's message, and so does a CHECK constraint the number
// values certainly violate. Values are looked at in place; only a quoted one with a doubled
// quote is copied.
void RecordScanner::judge_fields(const unsigned char* rec_begin, const unsigned char* rec_end) {
  const auto& numbers = config_.field_rules;
  const bool checks = !config_.checks.empty();
  if (checks) {
    values_.resize(numbers.size());
    known_.assign(numbers.size(), 0);
  }
  const Config::FieldRule* null_in = nullptr;  // the first NOT NULL column given a NULL
  bool unsure = false;
  const char* p = reinterpret_cast<const char*>(rec_begin);
  const char* end = reinterpret_cast<const char*>(rec_end);
  while (end > p && (end[-1] == '\n' || end[-1] == '\r')) --end;  // not part of the last value
  const char delimiter = config_.delimiter, quote = config_.quote;
  for (std::size_t field = 0; field < numbers.size() && p <= end; ++field) {
    const char* type = numbers[field].number_type;
    std::string_view value;
    const bool quoted = p < end && *p == quote;
    if (quoted) {
      // Quoted (possibly followed by more text before the delimiter, which COPY appends).
      const char* start = ++p;
      bool doubled = false;
      while (p < end) {
        if (*p != quote) {
          ++p;
        } else if (p + 1 < end && p[1] == quote) {
          doubled = true;
          p += 2;
        } else {
          break;
        }
      }
      const char* stop = p;
      if (p < end) ++p;  // the closing quote
      const char* after = p;
      while (p < end && *p != delimiter) ++p;
      if (type != nullptr || numbers[field].max_chars) {
        if (doubled || after != p) {
          value_.clear();
          for (const char* q = start; q < stop; ++q) {
            value_ += *q;
            if (*q == quote) ++q;
          }
          value_.append(after, static_cast<std::size_t>(p - after));
          value = value_;
        } else {
          value = std::string_view(start, static_cast<std::size_t>(stop - start));
        }
      }
    } else {
      const char* start = p;
      const void* hit = std::memchr(p, delimiter, static_cast<std::size_t>(end - p));
      p = hit ? static_cast<const char*>(hit) : end;
      value = std::string_view(start, static_cast<std::size_t>(p - start));
    }
    ++p;  // the delimiter
    // The server reads every value before it looks at constraints: a NULL is named only when
    // no value is unreadable.
    if (!quoted && numbers[field].not_null && value == config_.null_string && !null_in) null_in = &numbers[field];
    if (value == config_.null_string) continue;
    if (numbers[field].max_chars && too_long(value, numbers[field].max_chars)) {
      bad(record_line_, 0, "value too long for type " + numbers[field].char_type, {}, "22001");
      bad_column_name_ = numbers[field].column;
      return;
    }
    if (type == nullptr) continue;
    if (certainly_not_a_number(value)) {
      bad(record_line_, 0, number_syntax_message(type, value), {}, "22P02");
      bad_column_name_ = numbers[field].column;
      return;
    }
    // A value stored otherwise than it reads (rounded, out of range, NaN) may be the server's
    // first complaint: the record then goes to the server, which names it. A copied value
    // (doubled quotes) is not a number anyway.
    if (checks && !unsure) {
      known_[field] = numbers[field].storage && value.data() != value_.data() &&
                      numbers[field].storage->read(value, values_[field]);
      unsure = !known_[field];
    }
  }
  if (null_in) {
    bad(record_line_, 0,
        "null value in column \"" + null_in->column + "\" of relation \"" + config_.relation +
            "\" violates not-null constraint",
        {}, "23502");
    bad_column_name_ = null_in->column;
    return;
  }
  if (!checks || unsure) return;
  const auto value = [this](std::size_t field) -> const Decimal* {
    return field < known_.size() && known_[field] ? &values_[field] : nullptr;
  };
  for (const auto& check : config_.checks) {
    if (check.certainly_fails(value)) {
      bad(record_line_, 0,
          "new row for relation \"" + config_.relation + "\" violates check constraint \"" + check.name() + "\"", {},
          "23514");
      bad_column_name_ = check.column();
      return;
    }
  }
}

std::size_t RecordScanner::scan(const char* data, std::size_t size, bool at_end, const Sink& sink) {
  const auto* base = reinterpret_cast<const unsigned char*>(data);
  const unsigned char* end = base + size;
  const unsigned char* rec_begin = base;
  // The unfinished record handed back last time was scanned already: carry on after it.
  const unsigned char* p = base + std::min(resume_, size);
  const unsigned char quote = static_cast<unsigned char>(config_.quote);
  const unsigned char delim = static_cast<unsigned char>(config_.delimiter);
  const bool lf_mode = config_.line_ending == LineEnding::lf;
  const bool cr_mode = config_.line_ending == LineEnding::cr;
  const std::size_t max_bytes = config_.max_record_bytes;
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
        if (field_ != Field::quoted) field_ = Field::unquoted;
        p = q;
        if (static_cast<std::size_t>(p - rec_begin) > max_bytes) fail_too_long();
        if (p == end) break;
      }
    }
    unsigned char b = *p;
    if (utf8_.need != 0 || b >= 0x80) {
      if (!utf8_.step(b)) {
        if (!sets_aside()) fail_utf8();
        bad(line_, 0, "invalid UTF-8 byte sequence", "", "22021");
        utf8_ = encoding::Utf8State();
        if (b < 0x80) continue;  // a line break or delimiter cut the sequence short: look at it again
      }
      empty_ = false;
      if (field_ != Field::quoted) field_ = Field::unquoted;
      ++p;
      if (static_cast<std::size_t>(p - rec_begin) > max_bytes) fail_too_long();
      continue;
    }
    if (b == quote) {
      empty_ = false;
      switch (field_) {
        case Field::start:
        case Field::closed:  // "" inside a quoted field: the quote goes on
          field_ = Field::quoted;
          break;
        case Field::quoted:
          field_ = Field::closed;
          break;
        case Field::unquoted:
          if (!sets_aside()) fail_quote(rec_begin, p);
          bad(line_, quote_column(rec_begin, p),
              fmt::format("a quote character ({}) inside an unquoted field", show_char(config_.quote)), "", "22P04");
          break;
      }
    } else if (b == delim) {
      if (field_ != Field::quoted) {
        ++fields_;
        field_ = Field::start;
      }
      empty_ = false;
    } else if (b == '\n') {
      bool after_cr = p > base ? p[-1] == '\r' : last_byte_cr_;
      if (!after_cr) ++line_;
      if (field_ == Field::quoted) {
        if (lf_mode && !first_pending_) ++embedded_breaks_;
        line_begin_ = static_cast<std::size_t>(p + 1 - rec_begin);
      } else {
        if (cr_mode) fail_eol("a line feed");
        if (!lf_mode && !after_cr) fail_eol("a bare line feed");
        const unsigned char* rec_end = after_cr ? p - 1 : p;
        end_record(rec_begin, rec_end, p + 1, line_ - 1, sink);
        rec_begin = p + 1;
      }
    } else if (b == '\r') {
      ++line_;
      if (field_ == Field::quoted) {
        if (!lf_mode || first_pending_) ++embedded_breaks_;
        ++embedded_crs_;
        line_begin_ = static_cast<std::size_t>(p + 1 - rec_begin);
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
      bad(line_, 0, "NUL byte (0x00) in the data", "PostgreSQL text cannot hold NUL; remove it from the file", "22021");
      empty_ = false;
    } else {
      empty_ = false;
    }
    ++p;
    if (static_cast<std::size_t>(p - rec_begin) > max_bytes) fail_too_long();
  }

  last_byte_cr_ = size > 0 && end[-1] == '\r';
  if (!at_end) {
    // Hand back the unfinished record, with its state kept: the next call starts after it.
    if (rec_begin > send_from_) sink(reinterpret_cast<const char*>(send_from_), rec_begin - send_from_);
    resume_ = static_cast<std::size_t>(end - rec_begin);
    return static_cast<std::size_t>(rec_begin - base);
  }
  resume_ = 0;
  if (field_ == Field::quoted)
    throw DataError(record_line_, "unterminated quoted field: the quote opened in this record is never closed",
                    "close the quote, or set another quote character with --quote");
  if (!utf8_.complete()) {
    if (!sets_aside()) fail_utf8();
    bad(line_, 0, "invalid UTF-8 byte sequence", "", "22021");
    utf8_ = encoding::Utf8State();
  }
  if (expect_lf_) fail_eol("a carriage return without a line feed,");
  if (rec_begin != end) end_record(rec_begin, end, end, line_, sink);
  if (end > send_from_) sink(reinterpret_cast<const char*>(send_from_), end - send_from_);
  return size;
}

}  // namespace pgmonkey::csv
