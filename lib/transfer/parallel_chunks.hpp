// A parallel import's chunks: the scanned records cut into record-aligned pieces that each keep
// where their records start in the file, and the bounded queue that hands them to the sessions.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "csv/record_scanner.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

// From the line a chunk's own COPY names in an error (it counts from 1 in every chunk) to the
// file line the record starts on. Runs of one-line records take one entry.
class ChunkLines {
 public:
  // Records in order: the COPY line the record ends on and the file line it starts on.
  void add(std::uint64_t copy_line, std::uint64_t file_line);
  std::optional<std::uint64_t> line_of(std::uint64_t copy_line) const;
  std::size_t entries() const noexcept { return runs_.size(); }

 private:
  struct Run {
    std::uint64_t copy_line;  // its first record ends on this COPY line
    std::uint64_t file_line;  // and starts on this file line
    std::uint64_t records;    // each next one a line later in both
  };
  std::vector<Run> runs_;
};

// Where a file's chunks go: the COPY statement, and the file's name for messages.
struct ChunkTarget {
  std::string source;
  std::string copy_sql;
  // --max-errors: chunks hold the records as read, which each session scans again into a
  // RejectSink with these settings (no header; the field count fixed).
  bool rejecting = false;
  csv::RecordScanner::Config rescan;
};

struct Chunk {
  std::shared_ptr<const ChunkTarget> target;
  std::size_t index = 0;  // 0-based, in input order
  std::string data;       // COPY bytes: whole records
  std::uint64_t records = 0;
  ChunkLines lines;
  std::uint64_t first_line = 0;  // --max-errors: the file line `data` starts on
};

// The sink and record hook of the reader's scanner (Config::hook with set_aside_bad = false):
// collects the records' COPY bytes and hands on a chunk once it holds `chunk_bytes`.
// For --max-errors (`raw`, set_aside_bad = true) it collects the records as read instead, bad
// ones included, with skipped blank lines put back as line breaks so lines still count right.
class ChunkCutter final : public CopySink, public csv::RecordHook {
 public:
  using Emit = std::function<void(Chunk&&)>;
  ChunkCutter(std::size_t chunk_bytes, Emit emit);
  // --max-errors: `scanner` is the one this cutter follows; `line_ending` the file's.
  void collect_raw(const csv::RecordScanner* scanner, csv::LineEnding line_ending);
  const std::string& header() const noexcept { return header_; }  // raw: the header as read
  void write(const char* data, std::size_t size) override {
    if (!scanner_) chunk_.data.append(data, size);
  }
  void on_record(const csv::ScannedRecord& record) override;
  // Hands on the last chunk.
  std::uint64_t finish(std::uint64_t records) override;
  void abort(const std::string&) noexcept override {}
  std::size_t chunks() const noexcept { return next_index_; }

 private:
  void cut();

  std::size_t chunk_bytes_;
  Emit emit_;
  Chunk chunk_;
  std::uint64_t copy_line_ = 0;  // in the current chunk's COPY
  std::size_t next_index_ = 0;
  const csv::RecordScanner* scanner_ = nullptr;  // raw
  std::string line_break_ = "\n";
  std::uint64_t next_line_ = 0;  // raw: where the next record would start without blank lines
  std::string header_;
};

// A bounded queue of chunks: the reader waits for room, the sessions for chunks.
class ChunkQueue {
 public:
  explicit ChunkQueue(std::size_t capacity) : capacity_(capacity) {}
  // Waits for room, running `poll` about every 100 ms (it throws to give up). Dropped after stop().
  void push(Chunk chunk, const std::function<void()>& poll);
  // The next chunk; nullopt once closed and empty, or stopped.
  std::optional<Chunk> pop();
  void close();  // no more chunks
  void stop();   // give up: pop() returns nullopt at once

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> chunks_;
  bool closed_ = false;
  bool stopped_ = false;
};

}  // namespace pgmonkey::transfer
