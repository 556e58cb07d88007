// The export's compression stage: a ByteSink over another that compresses on a thread of its
// own, so the COPY stream keeps flowing while the previous chunks are compressed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "compress/codec.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

class CompressingSink final : public ByteSink {
 public:
  // `level` within compress::levels(format) (the app checks it).
  CompressingSink(std::unique_ptr<ByteSink> out, compress::Format format, int level);
  // Without commit(): stops the thread; `out` is dropped uncommitted (no file appears).
  ~CompressingSink() override;
  CompressingSink(const CompressingSink&) = delete;
  CompressingSink& operator=(const CompressingSink&) = delete;

  // Queues a copy of the data (a few chunks at most are held); rethrows the thread's error.
  void write(const char* data, std::size_t size) override;
  // Compresses what is queued, ends the stream and commits `out`.
  void commit() override;
  std::uint64_t written() const override { return accepted_; }  // bytes of text taken
  std::uint64_t stored() const override { return compressed_.load(); }
  compress::Format format() const noexcept { return format_; }

 private:
  void work();
  void rethrow_failure();

  std::unique_ptr<ByteSink> out_;
  compress::Format format_;
  std::unique_ptr<compress::Compressor> codec_;
  std::uint64_t accepted_ = 0;
  std::atomic<std::uint64_t> compressed_{0};

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  std::deque<std::string> spare_;  // emptied buffers, reused
  bool finishing_ = false;         // no more data: end the stream
  bool finished_ = false;          // the thread ended the stream
  bool stopping_ = false;          // give up (destructor)
  std::exception_ptr failure_;
  std::thread thread_;
};

// The export's output stage for `path` ("-" is standard output): the file put in place
// atomically, through a CompressingSink unless `format` is none.
std::unique_ptr<ByteSink> make_output(const std::string& path, bool force, compress::Format format, int level);

}  // namespace pgmonkey::transfer
