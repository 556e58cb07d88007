// Decompressing the import's input on the fly, stream after stream.
#include "transfer/decompressing_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "transfer/input_stream.hpp"

namespace pgmonkey::transfer {
namespace {

constexpr std::size_t kMagicBytes = 6;
// Small on purpose: what the stage holds (the compressed chunk, the blocks queued, the one being
// filled and the one being read out) adds to the import's peak memory, beside the codec's window.
// 32 kB hand-overs cost nothing measurable next to the scanning and the COPY.
constexpr std::size_t kCompressedChunk = 32 * 1024;
constexpr std::size_t kBlock = 32 * 1024;  // of text, handed over at once
constexpr std::size_t kBlocksAhead = 2;

}  // namespace

DecompressingSource::DecompressingSource(std::unique_ptr<ByteSource> raw) : raw_(std::move(raw)) {
  raw_->read_until(in_, kMagicBytes);
  format_ = compress::from_magic(in_);
  if (format_ == compress::Format::none) return;
  codec_ = compress::make_decompressor(format_);
  raw_consumed_ = raw_->consumed();
  // A regular file never blocks a read for long, so the thread always sees Ctrl-C soon; a pipe
  // could hold it in read(2) forever, so a pipe is decompressed in the caller's thread.
  if (raw_->size()) thread_ = std::thread([this] { work(); });
}

DecompressingSource::~DecompressingSource() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DecompressingSource::work() {
  try {
    while (true) {
      std::string block;
      {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait(lock, [&] { return ready_.size() < kBlocksAhead || stopping_; });
        if (stopping_) return;
        if (!spare_.empty()) {
          block = std::move(spare_.front());
          spare_.pop_front();
        }
      }
      block.resize(kBlock);
      std::size_t filled = 0;
      while (filled < kBlock) {
        std::size_t n = decompress(block.data() + filled, kBlock - filled);
        if (n == 0) break;
        filled += n;
      }
      block.resize(filled);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ready_.push_back(std::move(block));
      }
      changed_.notify_all();
      if (filled == 0) return;  // the end, sent as an empty block
    }
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      failure_ = std::current_exception();
    }
    changed_.notify_all();
  }
}

std::optional<std::uint64_t> DecompressingSource::size() const {
  if (format_ == compress::Format::none) return raw_->size();
  return std::nullopt;
}

void DecompressingSource::fail(const std::string& what, std::uint64_t offset) const {
  throw JobError(fmt::format("{}: {} at byte {} of the {} data", raw_->name(), what, offset, compress::name(format_)),
                 {}, "the file is damaged or incomplete: fetch or compress it again; nothing was imported");
}

void DecompressingSource::refuse_window(const std::string& what) const {
  const auto tool = compress::name(format_);
  const char* option = format_ == compress::Format::zstd ? " --long=31" : "";
  const std::string file = raw_->size() ? raw_->name() : "FILE";  // a pipe has no name to repeat
  throw JobError(fmt::format("{}: {}: {}", raw_->name(), tool, what), {},
                 fmt::format("the window sets the memory the import needs; decompress with {} itself and pipe the "
                             "text in: `{} -dc{} {} | pgimport -t TABLE ... -`; nothing was imported",
                             tool, tool, option, file));
}

std::size_t DecompressingSource::read(char* buf, std::size_t cap) {
  if (cap == 0) return 0;
  if (!codec_) {  // plain: the magic-byte sample first, then straight from the input
    if (in_pos_ < in_.size()) {
      std::size_t n = std::min(cap, in_.size() - in_pos_);
      std::memcpy(buf, in_.data() + in_pos_, n);
      in_pos_ += n;
      consumed_ += n;
      return n;
    }
    std::size_t n = raw_->read(buf, cap);
    consumed_ += n;
    return n;
  }
  if (!thread_.joinable()) {
    std::size_t n = decompress(buf, cap);
    consumed_ += n;
    return n;
  }
  if (block_pos_ == block_.size()) {
    if (ended_) return 0;
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return !ready_.empty() || failure_; });
    if (ready_.empty()) std::rethrow_exception(failure_);
    spare_.push_back(std::move(block_));
    block_ = std::move(ready_.front());
    ready_.pop_front();
    block_pos_ = 0;
    lock.unlock();
    changed_.notify_all();
    if (block_.empty()) {
      ended_ = true;
      return 0;
    }
  }
  std::size_t n = std::min(cap, block_.size() - block_pos_);
  std::memcpy(buf, block_.data() + block_pos_, n);
  block_pos_ += n;
  consumed_ += n;
  return n;
}

std::size_t DecompressingSource::decompress(char* buf, std::size_t cap) {
  while (true) {
    if (in_pos_ == in_.size() && !eof_) {
      in_.resize(kCompressedChunk);
      std::size_t n = raw_->read(in_.data(), in_.size());
      raw_consumed_ = raw_->consumed();
      in_.resize(n);
      in_pos_ = 0;
      if (n == 0) eof_ = true;
    }
    const std::size_t avail = in_.size() - in_pos_;
    if (avail > 0 && !in_stream_) {  // the start of the next member/frame/stream
      if (streams_ > 0) codec_->reset();
      in_stream_ = true;
      ++streams_;
    }
    if (avail == 0 && !in_stream_) return 0;  // the end, between two streams
    auto step = codec_->run(in_.data() + in_pos_, avail, buf, cap);
    in_pos_ += step.read;
    fed_ += step.read;
    if (step.window_too_large) refuse_window(step.error);
    if (!step.error.empty()) fail("corrupt data (" + step.error + ")", fed_);
    if (step.stream_end) in_stream_ = false;
    if (step.written > 0) return step.written;
    if (step.stream_end) continue;
    if (avail == 0) fail("the file ends inside a compressed stream (truncated)", fed_);
    if (step.read == 0) fail("corrupt data", fed_);  // no progress on input and room for output
  }
}

void throw_if_damaged(DecompressingSource& in, std::uint64_t limit) {
  if (in.format() == compress::Format::none) return;
  std::string buf(kCompressedChunk, '\0');
  const std::uint64_t stop = in.consumed() + limit;
  while (in.consumed() < stop && in.read(buf.data(), buf.size()) > 0) {
  }
}

std::unique_ptr<DecompressingSource> open_decompressing(const std::string& path) {
  return std::make_unique<DecompressingSource>(std::make_unique<InputStream>(path));
}

ByteSourceOpener decompressing_opener(const std::string& path) {
  if (!InputStream::opener(path)) return {};
  return [path]() -> std::unique_ptr<ByteSource> { return open_decompressing(path); };
}

}  // namespace pgmonkey::transfer
