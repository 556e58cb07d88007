// The import's decompression stage: a ByteSource over another, recognising gzip (multi-member),
// zstd (multi-frame), bzip2 and xz by their magic bytes and passing anything else through.
// A compressed regular file is read and decompressed on a thread of its own, a few blocks ahead,
// so the decompression overlaps the scanning and the COPY as a `gzip -dc |` pipe would.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "compress/codec.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

class DecompressingSource final : public ByteSource {
 public:
  // Reads the first bytes of `raw` to tell the format. Throws JobError (from `raw`).
  explicit DecompressingSource(std::unique_ptr<ByteSource> raw);
  ~DecompressingSource() override;
  DecompressingSource(const DecompressingSource&) = delete;
  DecompressingSource& operator=(const DecompressingSource&) = delete;

  // The text; a corrupt or truncated stream is a JobError naming the file and the byte offset
  // in the compressed input.
  std::size_t read(char* buf, std::size_t cap) override;
  // Plain input: the file's size. Compressed: unknown (the raw source has the size to show).
  std::optional<std::uint64_t> size() const override;
  std::uint64_t consumed() const override { return consumed_; }  // bytes of text handed out
  const std::string& name() const override { return raw_->name(); }

  compress::Format format() const noexcept { return format_; }
  const ByteSource& raw() const noexcept { return *raw_; }
  // Bytes of the file read so far (compressed, for the progress and the summary); safe to ask
  // while the thread reads.
  std::uint64_t raw_consumed() const noexcept { return codec_ ? raw_consumed_.load() : raw_->consumed(); }

 private:
  [[noreturn]] void fail(const std::string& what, std::uint64_t offset) const;
  // A stream that needs a window above compress::kMaxWindow: not damage, a limit.
  [[noreturn]] void refuse_window(const std::string& what) const;
  std::size_t decompress(char* buf, std::size_t cap);  // on the thread
  void work();

  // Blocks of text handed from the thread to read(); an empty block is the end.
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> ready_;
  std::deque<std::string> spare_;
  std::string block_;  // being read out by read()
  std::size_t block_pos_ = 0;
  bool ended_ = false;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::atomic<std::uint64_t> raw_consumed_{0};
  std::thread thread_;

  std::unique_ptr<ByteSource> raw_;
  compress::Format format_ = compress::Format::none;
  std::unique_ptr<compress::Decompressor> codec_;
  std::string in_;  // compressed bytes read, from in_pos_ on not yet decompressed
  std::size_t in_pos_ = 0;
  bool eof_ = false;
  bool in_stream_ = false;  // inside a member/frame/stream: the input must not end here
  std::uint64_t streams_ = 0;
  std::uint64_t fed_ = 0;  // compressed bytes taken by the codec
  std::uint64_t consumed_ = 0;
};

// A damaged compressed file often decodes to garbage before a checksum says so. After another
// error, reads on (at most `limit` bytes of text) and throws the damage when there is one, so
// the error blames the file rather than the garbage; returns when the input looks whole.
void throw_if_damaged(DecompressingSource& in, std::uint64_t limit = 64u << 20);

// The opener for a path: the file (or standard input) through the decompression stage.
ByteSourceOpener decompressing_opener(const std::string& path);
std::unique_ptr<DecompressingSource> open_decompressing(const std::string& path);

}  // namespace pgmonkey::transfer
