// The ordered, bounded hand-over of block-range data from the export's sessions to its writer.
#include "transfer/ordered_chunks.hpp"

namespace pgmonkey::transfer {

OrderedChunks::OrderedChunks(std::size_t ranges, std::size_t workers, std::size_t ahead_bytes)
    : ranges_(ranges), held_(workers, 0), ahead_bytes_(ahead_bytes) {}

std::optional<std::size_t> OrderedChunks::take_range() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_ || next_ >= ranges_.size()) return std::nullopt;
  return next_++;
}

bool OrderedChunks::push(std::size_t worker, std::size_t range, std::string&& chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  // A session holding too much waits for the writer, on the head range too (a range of big
  // TOASTed values can be far more CSV than table). No deadlock: a session takes ranges in order,
  // so on the head range all it holds is the head's, which the writer is taking.
  changed_.wait(lock, [&] { return stopped_ || held_[worker] < ahead_bytes_; });
  if (stopped_) return false;
  held_[worker] += chunk.size();
  ranges_[range].worker = worker;
  ranges_[range].chunks.push_back(std::move(chunk));
  lock.unlock();
  changed_.notify_all();
  return true;
}

void OrderedChunks::finish_range(std::size_t range, std::uint64_t rows) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ranges_[range].done = true;
    ranges_[range].rows = rows;
  }
  changed_.notify_all();
}

void OrderedChunks::fail(std::exception_ptr error) noexcept {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failure_) failure_ = std::move(error);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool OrderedChunks::pop(std::string& chunk, const std::function<void()>& poll, std::chrono::milliseconds every) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (failure_) std::rethrow_exception(failure_);
    if (head_ >= ranges_.size()) return false;
    Range& r = ranges_[head_];
    if (!r.chunks.empty()) {
      chunk = std::move(r.chunks.front());
      r.chunks.pop_front();
      held_[r.worker] -= chunk.size();
      lock.unlock();
      changed_.notify_all();
      return true;
    }
    if (r.done) {
      rows_done_ += r.rows;
      ++head_;
      changed_.notify_all();  // the new head's worker may be waiting
      continue;
    }
    if (stopped_) return false;
    if (!changed_.wait_for(lock, every, [&] { return failure_ || !r.chunks.empty() || r.done || stopped_; })) {
      lock.unlock();
      poll();
      lock.lock();
    }
  }
}

std::uint64_t OrderedChunks::rows_done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rows_done_;
}

void OrderedChunks::stop() noexcept {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool OrderedChunks::stopped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

bool OrderedChunks::complete() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_ >= ranges_.size();
}

std::size_t OrderedChunks::queued_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  for (auto h : held_) n += h;
  return n;
}

}  // namespace pgmonkey::transfer
