// The four libraries, each wrapped to the same step-at-a-time shape.
#include "compress/codec.hpp"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <cstdint>
#include <stdexcept>

namespace pgmonkey::compress {
namespace {

// zlib, bzip2 and liblzma count in unsigned int; feed them at most this much per call.
constexpr std::size_t kMaxCall = 1u << 30;

std::size_t clamp(std::size_t n) {
  return n < kMaxCall ? n : kMaxCall;
}

std::string mib(std::uint64_t bytes) {
  return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

class GzipDecompressor final : public Decompressor {
 public:
  GzipDecompressor() {
    if (inflateInit2(&z_, 15 + 16) != Z_OK) throw std::runtime_error("cannot start zlib");
  }
  ~GzipDecompressor() override { inflateEnd(&z_); }
  Step run(const char* in, std::size_t size, char* out, std::size_t cap) override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
    z_.avail_in = static_cast<uInt>(clamp(size));
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(clamp(cap));
    const uInt in0 = z_.avail_in, out0 = z_.avail_out;
    int rc = inflate(&z_, Z_NO_FLUSH);
    Step s;
    s.read = in0 - z_.avail_in;
    s.written = out0 - z_.avail_out;
    if (rc == Z_STREAM_END)
      s.stream_end = true;
    else if (rc != Z_OK && rc != Z_BUF_ERROR)
      s.error = z_.msg ? z_.msg : "zlib error " + std::to_string(rc);
    return s;
  }
  void reset() override { inflateReset(&z_); }

 private:
  z_stream z_{};
};

class ZstdDecompressor final : public Decompressor {
 public:
  ZstdDecompressor() : d_(ZSTD_createDCtx()) {
    if (!d_) throw std::runtime_error("cannot start libzstd");
    ZSTD_DCtx_setParameter(d_, ZSTD_d_windowLogMax, kMaxWindowLog);  // libzstd's default; said, not assumed
  }
  ~ZstdDecompressor() override { ZSTD_freeDCtx(d_); }
  Step run(const char* in, std::size_t size, char* out, std::size_t cap) override {
    if (frame_start_ && size >= 6) {
      window_ = window_size(reinterpret_cast<const unsigned char*>(in));
      frame_start_ = false;
    }
    ZSTD_inBuffer ib{in, size, 0};
    ZSTD_outBuffer ob{out, cap, 0};
    std::size_t rc = ZSTD_decompressStream(d_, &ob, &ib);
    Step s;
    s.read = ib.pos;
    s.written = ob.pos;
    if (ZSTD_isError(rc) && ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge) {
      s.window_too_large = true;
      s.error = (window_ > kMaxWindow ? "the frame needs a " + mib(window_) + " window, more than"
                                      : std::string("the frame needs a window larger than")) +
                " the " + mib(kMaxWindow) + " accepted (it was written with zstd --long or --ultra)";
    } else if (ZSTD_isError(rc)) {
      s.error = ZSTD_getErrorName(rc);
    } else if (rc == 0) {
      frame_start_ = true;
      s.stream_end = true;  // a frame decoded and flushed; another may follow
    }
    return s;
  }
  void reset() override {}  // zstd goes on to the next frame by itself

 private:
  // The window a frame header declares (RFC 8878, 3.1.1.1.2), for the error message only;
  // 0 when the frame has no window descriptor (a single segment) or is not a zstd frame.
  static std::uint64_t window_size(const unsigned char* h) {
    if (h[0] != 0x28 || h[1] != 0xb5 || h[2] != 0x2f || h[3] != 0xfd || (h[4] & 0x20)) return 0;
    const std::uint64_t base = std::uint64_t{1} << (10 + (h[5] >> 3));
    return base + (base / 8) * (h[5] & 7);
  }
  ZSTD_DCtx* d_;
  bool frame_start_ = true;  // the next input starts a frame (when the caller's chunk allows)
  std::uint64_t window_ = 0;
};

class Bzip2Decompressor final : public Decompressor {
 public:
  Bzip2Decompressor() { start(); }
  ~Bzip2Decompressor() override { BZ2_bzDecompressEnd(&b_); }
  Step run(const char* in, std::size_t size, char* out, std::size_t cap) override {
    b_.next_in = const_cast<char*>(in);
    b_.avail_in = static_cast<unsigned>(clamp(size));
    b_.next_out = out;
    b_.avail_out = static_cast<unsigned>(clamp(cap));
    const unsigned in0 = b_.avail_in, out0 = b_.avail_out;
    int rc = BZ2_bzDecompress(&b_);
    Step s;
    s.read = in0 - b_.avail_in;
    s.written = out0 - b_.avail_out;
    if (rc == BZ_STREAM_END)
      s.stream_end = true;
    else if (rc == BZ_DATA_ERROR || rc == BZ_DATA_ERROR_MAGIC)
      s.error = "the data does not check out (BZ_DATA_ERROR)";
    else if (rc != BZ_OK)
      s.error = "libbz2 error " + std::to_string(rc);
    return s;
  }
  void reset() override {
    BZ2_bzDecompressEnd(&b_);
    start();
  }

 private:
  void start() {
    b_ = bz_stream{};
    if (BZ2_bzDecompressInit(&b_, 0, 0) != BZ_OK) throw std::runtime_error("cannot start libbz2");
  }
  bz_stream b_{};
};

// liblzma counts the whole decoder; the dictionary is nearly all of it.
constexpr std::uint64_t kXzMemLimit = kMaxWindow + (4u << 20);

std::string lzma_message(lzma_ret rc) {
  switch (rc) {
    case LZMA_FORMAT_ERROR:
      return "not in the xz format";
    case LZMA_DATA_ERROR:
      return "the data is corrupt";
    case LZMA_BUF_ERROR:
      return "the data is truncated or corrupt";
    case LZMA_MEM_ERROR:
      return "out of memory";
    case LZMA_OPTIONS_ERROR:
      return "unsupported options";
    default:
      return "liblzma error " + std::to_string(static_cast<int>(rc));
  }
}

class XzDecompressor final : public Decompressor {
 public:
  XzDecompressor() { start(); }
  ~XzDecompressor() override { lzma_end(&x_); }
  Step run(const char* in, std::size_t size, char* out, std::size_t cap) override {
    x_.next_in = reinterpret_cast<const std::uint8_t*>(in);
    x_.avail_in = size;
    x_.next_out = reinterpret_cast<std::uint8_t*>(out);
    x_.avail_out = cap;
    lzma_ret rc = lzma_code(&x_, LZMA_RUN);
    Step s;
    s.read = size - x_.avail_in;
    s.written = cap - x_.avail_out;
    if (rc == LZMA_STREAM_END) {
      s.stream_end = true;
    } else if (rc == LZMA_MEMLIMIT_ERROR) {
      s.window_too_large = true;
      s.error = "the stream needs " + mib(lzma_memusage(&x_)) + " to decode, for a dictionary larger than the " +
                mib(kMaxWindow) + " accepted (it was written with xz --lzma2=dict=...)";
    } else if (rc != LZMA_OK && !(rc == LZMA_BUF_ERROR && s.read == 0 && size == 0)) {
      s.error = lzma_message(rc);
    }
    return s;
  }
  void reset() override {
    lzma_end(&x_);
    start();
  }

 private:
  void start() {
    x_ = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&x_, kXzMemLimit, 0) != LZMA_OK) throw std::runtime_error("cannot start liblzma");
  }
  lzma_stream x_ = LZMA_STREAM_INIT;
};

class GzipCompressor final : public Compressor {
 public:
  explicit GzipCompressor(int level) {
    if (deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("cannot start zlib");
  }
  ~GzipCompressor() override { deflateEnd(&z_); }
  Step run(const char* in, std::size_t size, char* out, std::size_t cap, bool finish) override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
    z_.avail_in = static_cast<uInt>(clamp(size));
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(clamp(cap));
    const uInt in0 = z_.avail_in, out0 = z_.avail_out;
    int rc = deflate(&z_, finish && size == z_.avail_in ? Z_FINISH : Z_NO_FLUSH);
    Step s;
    s.read = in0 - z_.avail_in;
    s.written = out0 - z_.avail_out;
    if (rc == Z_STREAM_END)
      s.stream_end = true;
    else if (rc != Z_OK && rc != Z_BUF_ERROR)
      s.error = z_.msg ? z_.msg : "zlib error " + std::to_string(rc);
    return s;
  }

 private:
  z_stream z_{};
};

class ZstdCompressor final : public Compressor {
 public:
  explicit ZstdCompressor(int level) : c_(ZSTD_createCCtx()) {
    if (!c_) throw std::runtime_error("cannot start libzstd");
    ZSTD_CCtx_setParameter(c_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(c_, ZSTD_c_checksumFlag, 1);  // as the zstd tool writes it
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(c_); }
  Step run(const char* in, std::size_t size, char* out, std::size_t cap, bool finish) override {
    ZSTD_inBuffer ib{in, size, 0};
    ZSTD_outBuffer ob{out, cap, 0};
    std::size_t rc = ZSTD_compressStream2(c_, &ob, &ib, finish ? ZSTD_e_end : ZSTD_e_continue);
    Step s;
    s.read = ib.pos;
    s.written = ob.pos;
    if (ZSTD_isError(rc))
      s.error = ZSTD_getErrorName(rc);
    else if (finish && rc == 0)
      s.stream_end = true;
    return s;
  }

 private:
  ZSTD_CCtx* c_;
};

class Bzip2Compressor final : public Compressor {
 public:
  explicit Bzip2Compressor(int level) {
    if (BZ2_bzCompressInit(&b_, level, 0, 0) != BZ_OK) throw std::runtime_error("cannot start libbz2");
  }
  ~Bzip2Compressor() override { BZ2_bzCompressEnd(&b_); }
  Step run(const char* in, std::size_t size, char* out, std::size_t cap, bool finish) override {
    b_.next_in = const_cast<char*>(in);
    b_.avail_in = static_cast<unsigned>(clamp(size));
    b_.next_out = out;
    b_.avail_out = static_cast<unsigned>(clamp(cap));
    const unsigned in0 = b_.avail_in, out0 = b_.avail_out;
    int rc = BZ2_bzCompress(&b_, finish && size == b_.avail_in ? BZ_FINISH : BZ_RUN);
    Step s;
    s.read = in0 - b_.avail_in;
    s.written = out0 - b_.avail_out;
    if (rc == BZ_STREAM_END)
      s.stream_end = true;
    else if (rc != BZ_RUN_OK && rc != BZ_FINISH_OK)
      s.error = "libbz2 error " + std::to_string(rc);
    return s;
  }

 private:
  bz_stream b_{};
};

class XzCompressor final : public Compressor {
 public:
  explicit XzCompressor(int level) {
    if (lzma_easy_encoder(&x_, static_cast<std::uint32_t>(level), LZMA_CHECK_CRC64) != LZMA_OK)
      throw std::runtime_error("cannot start liblzma");
  }
  ~XzCompressor() override { lzma_end(&x_); }
  Step run(const char* in, std::size_t size, char* out, std::size_t cap, bool finish) override {
    x_.next_in = reinterpret_cast<const std::uint8_t*>(in);
    x_.avail_in = size;
    x_.next_out = reinterpret_cast<std::uint8_t*>(out);
    x_.avail_out = cap;
    lzma_ret rc = lzma_code(&x_, finish ? LZMA_FINISH : LZMA_RUN);
    Step s;
    s.read = size - x_.avail_in;
    s.written = cap - x_.avail_out;
    if (rc == LZMA_STREAM_END)
      s.stream_end = true;
    else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR)
      s.error = lzma_message(rc);
    return s;
  }

 private:
  lzma_stream x_ = LZMA_STREAM_INIT;
};

}  // namespace

std::unique_ptr<Decompressor> make_decompressor(Format f) {
  switch (f) {
    case Format::gzip:
      return std::make_unique<GzipDecompressor>();
    case Format::zstd:
      return std::make_unique<ZstdDecompressor>();
    case Format::bzip2:
      return std::make_unique<Bzip2Decompressor>();
    case Format::xz:
      return std::make_unique<XzDecompressor>();
    case Format::none:
      break;
  }
  throw std::logic_error("no decompressor for plain data");
}

std::unique_ptr<Compressor> make_compressor(Format f, int level) {
  switch (f) {
    case Format::gzip:
      return std::make_unique<GzipCompressor>(level);
    case Format::zstd:
      return std::make_unique<ZstdCompressor>(level);
    case Format::bzip2:
      return std::make_unique<Bzip2Compressor>(level);
    case Format::xz:
      return std::make_unique<XzCompressor>(level);
    case Format::none:
      break;
  }
  throw std::logic_error("no compressor for plain data");
}

}  // namespace pgmonkey::compress
