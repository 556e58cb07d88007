// Cutting scanned records into record-aligned chunks with their file lines, and queueing them.
#include "transfer/parallel_chunks.hpp"

#include <algorithm>
#include <chrono>
#include <string_view>

namespace pgmonkey::transfer {

void ChunkLines::add(std::uint64_t copy_line, std::uint64_t file_line) {
  if (!runs_.empty()) {
    Run& run = runs_.back();
    if (copy_line == run.copy_line + run.records && file_line == run.file_line + run.records) {
      ++run.records;
      return;
    }
  }
  runs_.push_back({copy_line, file_line, 1});
}

std::optional<std::uint64_t> ChunkLines::line_of(std::uint64_t copy_line) const {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), copy_line,
                             [](std::uint64_t l, const Run& r) { return l < r.copy_line; });
  if (it != runs_.begin()) {
    const Run& run = *std::prev(it);
    if (copy_line < run.copy_line + run.records) return run.file_line + (copy_line - run.copy_line);
  }
  // Inside a record of several lines: COPY names the line it ends on, which is the next entry's.
  if (it != runs_.end()) return it->file_line;
  return std::nullopt;
}

ChunkCutter::ChunkCutter(std::size_t chunk_bytes, Emit emit)
    : chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)), emit_(std::move(emit)) {}

void ChunkCutter::collect_raw(const csv::RecordScanner* scanner, csv::LineEnding line_ending) {
  scanner_ = scanner;
  line_break_ = line_ending == csv::LineEnding::crlf ? "\r\n" : line_ending == csv::LineEnding::cr ? "\r" : "\n";
}

namespace {

// Line breaks as the scanner counts them: every CR, and every LF not right after a CR.
std::uint64_t breaks(std::string_view s) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\r' || (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))) ++n;
  return n;
}

}  // namespace

void ChunkCutter::on_record(const csv::ScannedRecord& record) {
  if (scanner_) {
    if (record.kind == csv::ScannedRecord::Kind::header) {
      header_ = std::string(record.raw);
      return;
    }
    // The scanner stands right after the record: it started that many breaks earlier.
    const std::uint64_t lines = breaks(record.raw);
    const std::uint64_t start = scanner_->lines() + 1 - lines;
    if (chunk_.records == 0) {
      chunk_.first_line = start;
    } else {
      for (std::uint64_t l = next_line_; l < start; ++l) chunk_.data += line_break_;
    }
    chunk_.data.append(record.raw.data(), record.raw.size());
    next_line_ = start + lines;
    ++chunk_.records;
    if (chunk_.data.size() >= chunk_bytes_) cut();
    return;
  }
  if (record.kind != csv::ScannedRecord::Kind::data) return;  // the header is not sent
  // Each chunk is a COPY of its own, which counts the first record's lines its own way.
  copy_line_ += chunk_.records == 0 ? record.copy_lines_first : record.copy_lines;
  chunk_.lines.add(copy_line_, record.line);
  ++chunk_.records;
  if (chunk_.data.size() >= chunk_bytes_) cut();
}

std::uint64_t ChunkCutter::finish(std::uint64_t records) {
  if (chunk_.records > 0 || !chunk_.data.empty()) cut();
  return records;
}

void ChunkCutter::cut() {
  Chunk out = std::move(chunk_);
  out.index = next_index_++;
  chunk_ = Chunk();
  chunk_.data.reserve(std::min<std::size_t>(chunk_bytes_ + (64u << 10), 64u << 20));
  copy_line_ = 0;
  emit_(std::move(out));
}

void ChunkQueue::push(Chunk chunk, const std::function<void()>& poll) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopped_ && chunks_.size() >= capacity_) {
    changed_.wait_for(lock, std::chrono::milliseconds(100));
    if (poll) {
      lock.unlock();
      poll();
      lock.lock();
    }
  }
  if (stopped_) return;
  chunks_.push_back(std::move(chunk));
  changed_.notify_all();
}

std::optional<Chunk> ChunkQueue::pop() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return stopped_ || closed_ || !chunks_.empty(); });
  if (stopped_ || chunks_.empty()) return std::nullopt;
  Chunk out = std::move(chunks_.front());
  chunks_.pop_front();
  changed_.notify_all();
  return out;
}

void ChunkQueue::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void ChunkQueue::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopped_ = true;
  chunks_.clear();
  changed_.notify_all();
}

}  // namespace pgmonkey::transfer
