// --max-errors: the CopySink that loads records in batches under savepoints, sets aside the ones
// the server or the scanner refuses, and goes on, all inside the import's one transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "csv/record_scanner.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::db {
class Connection;
}

namespace pgmonkey::transfer {

// Why the server refused a batch: its error fields, and the COPY line (within the batch).
struct Refusal {
  std::optional<std::uint64_t> copy_line;
  std::string column;
  std::string message;
  std::string detail;
  std::string sqlstate;
};

// Where a batch goes: one COPY under a savepoint. The seam for unit tests without a server.
class BatchTarget {
 public:
  virtual ~BatchTarget() = default;
  virtual void begin() = 0;  // savepoint, then COPY FROM STDIN (may have been started by end())
  virtual void send(const char* data, std::size_t size) = 0;
  virtual bool refused() = 0;  // cheap: the server already said no
  // Ends the COPY: nothing when the batch is in (the next batch's savepoint and COPY may start
  // in the same round trip); its refusal after rolling back to the savepoint. Throws what cannot
  // be recovered from (lost connection, Ctrl-C, ...).
  virtual std::optional<Refusal> end() = 0;
  // The end of the load, before COMMIT: ends what end() started ahead, and does the rollback to
  // the savepoint a refusal left for the next begin().
  virtual void settle() {}
  virtual void abort() noexcept = 0;
};

// Savepoints and COPY on the import's connection (inside its transaction).
std::unique_ptr<BatchTarget> make_db_batch_target(db::Connection& conn, std::string copy_sql);
// A dry run: every batch goes in (only the client-side checks reject).
std::unique_ptr<BatchTarget> make_null_batch_target();

// A record set aside: the raw text (decoded, line break included) and the reason.
struct Rejected {
  std::uint64_t line = 0;
  std::string column;
  std::string message;
  std::string sqlstate;
  std::string raw;
};

// Thrown when more than --max-errors records were rejected (the rejects so far were passed on).
class RejectLimitExceeded : public std::runtime_error {
 public:
  explicit RejectLimitExceeded(std::uint64_t line) : std::runtime_error("too many rejected records"), line_(line) {}
  std::uint64_t line() const noexcept { return line_; }

 private:
  std::uint64_t line_;
};

class RejectSink final : public CopySink, public csv::RecordHook {
 public:
  struct Limits {
    std::size_t max_batch_bytes = 4u << 20;  // a clean batch grows up to this (one savepoint each)
    std::size_t min_batch_bytes = 64u << 10;
    std::size_t push_bytes = 256u << 10;  // COPY bytes handed to the target at a time
    std::size_t min_retry_rows = 16;      // smallest retry batch after a refusal
    std::size_t max_retry_rows = 65536;
    std::size_t max_good_rows = 128;  // records known good resent with new ones, at most
  };
  // `on_reject` gets the rejects in file order, batch by batch; `on_header` the header's raw text.
  RejectSink(std::unique_ptr<BatchTarget> target, std::uint64_t max_errors,
             std::function<void(const Rejected&)> on_reject, std::function<void(std::string_view)> on_header,
             Limits limits);
  RejectSink(std::unique_ptr<BatchTarget> target, std::uint64_t max_errors,
             std::function<void(const Rejected&)> on_reject, std::function<void(std::string_view)> on_header)
      : RejectSink(std::move(target), max_errors, std::move(on_reject), std::move(on_header), Limits()) {}

  void write(const char* data, std::size_t size) override;
  std::uint64_t finish(std::uint64_t records) override;
  void abort(const std::string& reason) noexcept override;
  void on_record(const csv::ScannedRecord& record) override;

  std::uint64_t rejected() const noexcept { return rejected_; }
  std::uint64_t loaded() const noexcept { return loaded_; }
  std::uint64_t round_trips() const noexcept { return attempts_; }  // batches tried, for tests

 private:
  struct Record {
    std::size_t copy_begin, copy_end;  // in copy_
    std::size_t raw_begin, raw_end;    // in raw_
    std::uint64_t line;
    std::uint64_t copy_lines;
    std::uint64_t copy_lines_first;  // when it is the first record of a COPY
  };
  void push();
  void end_batch();
  void recover(Refusal first);
  std::optional<Refusal> send_records(const std::deque<std::size_t>& q, std::size_t n);
  std::optional<std::size_t> locate(const std::deque<std::size_t>& q, std::size_t n, const Refusal& r) const;
  void reject(Rejected r);
  void emit_rejects();

  std::unique_ptr<BatchTarget> target_;
  std::uint64_t max_errors_;
  std::function<void(const Rejected&)> on_reject_;
  std::function<void(std::string_view)> on_header_;
  Limits limits_;
  std::size_t batch_bytes_;      // the current batch size; shrinks after a refusal, grows back
  std::string copy_;             // the batch's COPY bytes
  std::size_t record_from_ = 0;  // where the next record's COPY bytes start in copy_
  std::string raw_;              // the batch's records as in the input
  std::vector<Record> records_;
  std::size_t pushed_ = 0;  // copy_ bytes already sent in the open COPY
  bool open_ = false;
  bool refused_ = false;  // the open COPY was refused mid-stream
  std::vector<Rejected> batch_rejects_;
  std::uint64_t rejected_ = 0;
  std::uint64_t loaded_ = 0;
  std::uint64_t attempts_ = 0;
};

}  // namespace pgmonkey::transfer
