// Compressing the export on its own thread: the job queues chunks, the thread compresses and writes.
#include "transfer/compressing_sink.hpp"

#include "core/error.hpp"
#include "transfer/output_sink.hpp"

namespace pgmonkey::transfer {
namespace {

// Two chunks waiting (about 512 kB of text) keep the COPY flowing while one is compressed; more
// only adds to the peak memory beside the compressor's own window and tables.
constexpr std::size_t kQueuedChunks = 2;
constexpr std::size_t kOutChunk = 64 * 1024;

}  // namespace

CompressingSink::CompressingSink(std::unique_ptr<ByteSink> out, compress::Format format, int level)
    : out_(std::move(out)), format_(format), codec_(compress::make_compressor(format, level)) {
  thread_ = std::thread([this] { work(); });
}

CompressingSink::~CompressingSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CompressingSink::rethrow_failure() {
  if (failure_) std::rethrow_exception(failure_);
}

void CompressingSink::write(const char* data, std::size_t size) {
  if (size == 0) return;
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return queue_.size() < kQueuedChunks || failure_; });
  rethrow_failure();
  std::string chunk;
  if (!spare_.empty()) {
    chunk = std::move(spare_.front());
    spare_.pop_front();
  }
  chunk.assign(data, size);
  queue_.push_back(std::move(chunk));
  accepted_ += size;
  lock.unlock();
  changed_.notify_all();
}

void CompressingSink::commit() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    finishing_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return finished_ || failure_; });
    rethrow_failure();
  }
  thread_.join();
  out_->commit();
}

void CompressingSink::work() {
  std::string out(kOutChunk, '\0');
  std::string chunk;
  auto emit = [&](const compress::Step& s) {
    if (!s.error.empty())
      throw JobError("cannot compress the output (" + std::string(compress::name(format_)) + "): " + s.error);
    if (s.written > 0) {
      out_->write(out.data(), s.written);
      compressed_ += s.written;
    }
  };
  try {
    while (true) {
      bool finish = false;
      {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait(lock, [&] { return !queue_.empty() || finishing_ || stopping_; });
        if (stopping_) return;
        if (!chunk.empty() || chunk.capacity() > 0) spare_.push_back(std::move(chunk));
        if (!queue_.empty()) {
          chunk = std::move(queue_.front());
          queue_.pop_front();
        } else {
          chunk.clear();
          finish = true;  // finishing_ and all queued data compressed
        }
      }
      changed_.notify_all();
      if (finish) {
        while (true) {
          auto s = codec_->run(nullptr, 0, out.data(), out.size(), true);
          emit(s);
          if (s.stream_end) break;
        }
        std::lock_guard<std::mutex> lock(mu_);
        finished_ = true;
        changed_.notify_all();
        return;
      }
      std::size_t pos = 0;
      while (pos < chunk.size()) {
        auto s = codec_->run(chunk.data() + pos, chunk.size() - pos, out.data(), out.size(), false);
        emit(s);
        pos += s.read;
      }
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    failure_ = std::current_exception();
    changed_.notify_all();
  }
}

std::unique_ptr<ByteSink> make_output(const std::string& path, bool force, compress::Format format, int level) {
  auto file = std::make_unique<OutputSink>(path, force);
  if (format == compress::Format::none) return file;
  return std::make_unique<CompressingSink>(std::move(file), format, level);
}

}  // namespace pgmonkey::transfer
