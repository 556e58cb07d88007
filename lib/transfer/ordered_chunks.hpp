// pgexport --jobs: the hand-over between the sessions reading block ranges and the one writer,
// which takes the ranges' data in range order with bounded memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pgmonkey::transfer {

// Workers take ranges in order (take_range) and push their data chunk by chunk; the writer pops
// chunks in range order, streaming the range at the head as it arrives. A worker whose range is
// not at the head waits once it holds `ahead_bytes` not yet written (its finished ranges
// included), so memory stays about workers × ahead_bytes however big the table is. The head's
// worker never waits, so the head always moves on. The first failure stops everything.
class OrderedChunks {
 public:
  OrderedChunks(std::size_t ranges, std::size_t workers, std::size_t ahead_bytes);

  // Worker side. The next range to read, or nothing when all are taken or the run stopped.
  std::optional<std::size_t> take_range();
  // Queues `chunk` of `range`; false when the run stopped (the worker should give up).
  bool push(std::size_t worker, std::size_t range, std::string&& chunk);
  // The range is complete, with the rows its COPY reported.
  void finish_range(std::size_t range, std::uint64_t rows);
  // Records the first failure and stops the run.
  void fail(std::exception_ptr error) noexcept;

  // Writer side. The next chunk in range order into `chunk`; false at the end, after the last
  // range finished. Rethrows a worker's failure. Calls `poll` about every `every` while it
  // waits (it may throw, e.g. on an interrupt).
  bool pop(std::string& chunk, const std::function<void()>& poll,
           std::chrono::milliseconds every = std::chrono::milliseconds(100));
  // Rows of the ranges popped to their end so far.
  std::uint64_t rows_done() const;
  // Stops the run: waiting workers return, take_range gives nothing. Never throws.
  void stop() noexcept;
  bool stopped() const;
  // True once every range was popped to its end.
  bool complete() const;
  // Bytes queued and not yet popped, for tests and the memory bound.
  std::size_t queued_bytes() const;

 private:
  struct Range {
    std::deque<std::string> chunks;
    std::size_t worker = 0;
    bool done = false;
    std::uint64_t rows = 0;
  };

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Range> ranges_;
  std::vector<std::size_t> held_;  // per worker: bytes queued, not yet popped
  std::size_t ahead_bytes_;
  std::size_t next_ = 0;  // the next range to hand out
  std::size_t head_ = 0;  // the range the writer is on
  std::uint64_t rows_done_ = 0;
  bool stopped_ = false;
  std::exception_ptr failure_;
};

}  // namespace pgmonkey::transfer
