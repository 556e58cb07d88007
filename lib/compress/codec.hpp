// Streaming compressors and decompressors over zlib, libzstd, libbz2 and liblzma, behind one
// small interface; the transfer stages (transfer/decompressing_source, compressing_sink) use them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "compress/compression.hpp"

namespace pgmonkey::compress {

// One call's work: input taken, output made, whether a stream (gzip member, zstd frame, bzip2
// or xz stream) ended, and what went wrong (empty: nothing; `read` then counts up to the error).
struct Step {
  std::size_t read = 0;
  std::size_t written = 0;
  bool stream_end = false;
  std::string error;
  // With `error`: the data is not damaged, it needs a bigger window (history) than kMaxWindow.
  bool window_too_large = false;
};

// The biggest window (the history a decoder keeps: zstd's window, xz's dictionary) a decompressor
// accepts: 128 MiB, what `zstd -d` accepts without --long or --memory. It covers every zstd
// level without --long and every xz preset (xz -9 is 64 MiB); gzip (32 kB) and bzip2 (900 kB)
// are far below. Memory grows with the window, so larger ones are refused rather than risked.
constexpr int kMaxWindowLog = 27;
constexpr std::size_t kMaxWindow = std::size_t{1} << kMaxWindowLog;

class Decompressor {
 public:
  virtual ~Decompressor() = default;
  virtual Step run(const char* in, std::size_t size, char* out, std::size_t cap) = 0;
  // Ready for the next stream of a multi-stream file.
  virtual void reset() = 0;
};

class Compressor {
 public:
  virtual ~Compressor() = default;
  // With `finish`, call until stream_end (all input taken and the trailer written).
  virtual Step run(const char* in, std::size_t size, char* out, std::size_t cap, bool finish) = 0;
};

// Throws std::runtime_error when the library cannot start (out of memory).
std::unique_ptr<Decompressor> make_decompressor(Format f);
std::unique_ptr<Compressor> make_compressor(Format f, int level);

}  // namespace pgmonkey::compress
