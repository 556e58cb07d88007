// The streaming pass over the data: one look at each byte to validate UTF-8, reject NUL and stray
// quotes, count lines and find record boundaries, so the bytes can go to COPY unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "csv/client_check.hpp"
#include "csv/dialect.hpp"
#include "csv/line_map.hpp"
#include "encoding/utf8.hpp"

namespace pgmonkey::csv {

// A problem in the data at a known line (and column, when known); the importer adds the file name.
class DataError : public std::runtime_error {
 public:
  DataError(std::uint64_t line, std::string message, std::string hint = {}, std::uint64_t column = 0)
      : std::runtime_error(std::move(message)), line_(line), column_(column), hint_(std::move(hint)) {}
  std::uint64_t line() const noexcept { return line_; }
  std::uint64_t column() const noexcept { return column_; }  // 1-based characters; 0: not known
  const std::string& hint() const noexcept { return hint_; }

 private:
  std::uint64_t line_;
  std::uint64_t column_;
  std::string hint_;
};

// With --max-errors the scanner reports each record as it ends instead of throwing at a bad
// one: its raw bytes (decoded text, line break included) and, for a bad record, why.
struct ScannedRecord {
  enum class Kind { header, data, bad };
  Kind kind = Kind::data;
  std::string_view raw;
  std::uint64_t line = 0;        // the line the record starts on (a bad one: the problem's line)
  std::uint64_t copy_lines = 1;  // lines COPY counts for it (1 + quoted line breaks)
  // The same when it is the first record of a COPY: COPY counts only quoted CRs until it has
  // seen the first record's end.
  std::uint64_t copy_lines_first = 1;
  std::uint64_t column = 0;      // bad: 1-based character column, 0 when not known
  std::string_view message;      // bad: what is wrong
  const char* sqlstate = "";     // bad: the code the server would give
  std::string_view column_name;  // bad: the table column, when the problem is one value
};

class RecordHook {
 public:
  virtual ~RecordHook() = default;
  // Called after the record's COPY bytes (none for a bad one) went to the scan's Sink.
  virtual void on_record(const ScannedRecord& record) = 0;
};

class RecordScanner {
 public:
  struct Config {
    char delimiter = ',';
    char quote = '"';
    LineEnding line_ending = LineEnding::lf;
    std::size_t expected_fields = 0;           // 0: take the first record's count
    bool skip_header = false;                  // the first non-blank record is not sent
    std::size_t max_record_bytes = 64u << 20;  // one record is held in memory while it is scanned
    std::uint64_t find_copy_line = 0;          // non-zero: map only this COPY line (a second pass)
    // The last N fields of every data record must be empty and are not sent (a spreadsheet's
    // trailing delimiter under an empty header field); a value there is a DataError.
    std::size_t drop_trailing_fields = 0;
    // Non-null: a record with a bad field count, encoding byte, NUL or stray quote is reported
    // here and not sent, and every record is reported as it ends. Mixed line endings, an
    // unterminated quote and an over-long record still throw: the records cannot be told apart.
    RecordHook* hook = nullptr;
    // With a hook: false keeps the errors a scan without one throws (bad records are not set
    // aside); the hook then only follows the records (a parallel import cuts chunks with it).
    bool set_aside_bad = true;
    // When records are set aside: what each field's column (by position) takes, so that a value
    // the server would certainly refuse is set aside here instead of costing a round trip: one
    // no server reads as a number (csv/number_syntax) for a number column, one too long for a
    // character column, a NULL (an unquoted `null_string`) for a NOT NULL one. A quoted
    // `null_string` is never judged (FORCE_NULL).
    struct FieldRule {
      const char* number_type = nullptr;  // the number type's name; nullptr: not a number column
      bool not_null = false;
      std::string column;
      std::optional<NumberStorage> storage;  // how the column stores a number (for the checks)
      // character varying(n) or character(n): a value over n characters is refused unless the
      // excess is spaces (which are cut).
      std::size_t max_chars = 0;
      std::string char_type;  // its format_type(), for the message
    };
    std::vector<FieldRule> field_rules;
    std::string null_string;
    // CHECK constraints over number fields (their CheckColumn::field is the field's position):
    // a record that certainly violates one is set aside with the server's message.
    std::vector<ClientCheck> checks;
    std::string relation;  // the table, in those messages
  };
  // Receives the bytes to send, in order; ranges are split only around skipped bytes.
  using Sink = std::function<void(const char* data, std::size_t size)>;

  explicit RecordScanner(Config config);

  // Scans `data` (UTF-8) and sends every complete record. Returns how many bytes were used:
  // the caller keeps the rest (an unfinished record) and passes it again in front of the next
  // data; those bytes were already looked at and are not scanned again, so every byte is
  // scanned once and the record size limit holds on every byte. With `at_end`, everything is
  // used. Throws DataError.
  std::size_t scan(const char* data, std::size_t size, bool at_end, const Sink& sink);

  std::uint64_t records() const noexcept { return records_; }  // data records sent
  // Blank lines skipped (leading, between records and trailing), and the first of them. In a
  // one-column file a blank line is a record (COPY reads it as NULL) and is sent, except before
  // the header; in a wider file COPY would refuse it, so it is skipped and the import says so.
  std::uint64_t blank_lines() const noexcept { return blank_lines_; }
  std::uint64_t first_blank_line() const noexcept { return first_blank_line_; }
  std::uint64_t lines() const noexcept { return line_ - 1; }  // line breaks so far
  // From the line COPY names in an error to the file line its record starts on.
  const LineMap& line_map() const noexcept { return map_; }
  std::size_t fields() const noexcept { return config_.expected_fields; }

 private:
  // `last_line`: the file line the record's last byte is on.
  void end_record(const unsigned char* rec_begin, const unsigned char* rec_end, const unsigned char* next,
                  std::uint64_t last_line, const Sink& sink);
  void drop_trailing(const unsigned char* rec_begin, const unsigned char* rec_end, const Sink& sink);
  [[noreturn]] void fail_utf8() const;
  [[noreturn]] void fail_eol(const char* found) const;
  [[noreturn]] void fail_quote(const unsigned char* rec_begin, const unsigned char* at) const;
  [[noreturn]] void fail_too_long() const;
  void reset_record();
  bool sets_aside() const noexcept { return config_.hook && config_.set_aside_bad; }
  std::uint64_t quote_column(const unsigned char* rec_begin, const unsigned char* at) const;
  // With a hook: remembers the record's first problem; without: throws it.
  void bad(std::uint64_t line, std::uint64_t column, std::string message, std::string hint, const char* sqlstate);

  // Where the field being scanned is: a quote may open a field, close it, or be doubled inside.
  enum class Field : unsigned char { start, unquoted, quoted, closed };

  Config config_;
  unsigned char class_[256];
  LineMap map_;
  std::uint64_t line_ = 1;         // line of the byte being looked at
  std::uint64_t record_line_ = 1;  // line the current record starts on
  std::uint64_t records_ = 0;
  std::uint64_t blank_lines_ = 0;
  std::uint64_t first_blank_line_ = 0;
  std::uint64_t sent_lines_ = 0;  // lines as COPY counts them, through the last record sent
  std::size_t resume_ = 0;        // bytes at the front of the next call already scanned
  bool last_byte_cr_ = false;     // the previous call's data ended with a CR
  bool header_pending_;
  bool first_pending_ = true;  // no data record sent yet (COPY's line-ending kind unknown)
  // Per-record state (reset at each record boundary).
  const unsigned char* send_from_ = nullptr;
  std::size_t fields_ = 1;
  std::uint64_t embedded_breaks_ = 0;
  std::uint64_t embedded_crs_ = 0;  // quoted CRs: what COPY counts in its first record
  std::size_t line_begin_ = 0;      // the current line's first byte, as an offset from the record's
  Field field_ = Field::start;
  bool empty_ = true;
  bool expect_lf_ = false;
  encoding::Utf8State utf8_;
  bool bad_ = false;  // with a hook: the current record has a problem (the first is kept)
  std::uint64_t bad_line_ = 0;
  std::uint64_t bad_column_ = 0;
  std::string bad_message_;
  std::string bad_hint_;
  const char* bad_sqlstate_ = "";
  std::string_view bad_column_name_;
  std::string value_;  // a field's value while it is judged
  // For the checks: each number field's value as stored, and whether it is known exactly.
  std::vector<Decimal> values_;
  std::vector<char> known_;
  void judge_fields(const unsigned char* rec_begin, const unsigned char* rec_end);
};

}  // namespace pgmonkey::csv
