// The seams of a transfer, as small interfaces. Import: ByteSource → Decoder → RecordScanner →
// CopySink; export: CopySource → Encoder → ByteSink. A compressed file, a second file, a second
// session or a reject file is a new implementation of one of these, not an `if` inside a job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pgmonkey::transfer {

// Raw bytes in: a file, standard input.
class ByteSource;
// Opens the input (again) from its start; empty where it cannot be read twice (a pipe).
using ByteSourceOpener = std::function<std::unique_ptr<ByteSource>()>;

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `cap` bytes; 0 at the end. Throws JobError (or InterruptedError).
  virtual std::size_t read(char* buf, std::size_t cap) = 0;
  virtual std::optional<std::uint64_t> size() const = 0;  // when known before reading
  virtual std::uint64_t consumed() const = 0;
  virtual const std::string& name() const = 0;  // for messages: the path, or "standard input"
  // Fills `out` (appending) until it holds `want` bytes or the input ends; false at the end.
  bool read_until(std::string& out, std::size_t want);
};

// Those bytes as UTF-8.
class Decoder {
 public:
  enum class Status { data, end, invalid };
  virtual ~Decoder() = default;
  // Appends about `chunk` bytes of UTF-8 to `out`. `invalid`: the input is not valid in its
  // encoding right after what was appended so far (nothing more can be read).
  virtual Status read(std::string& out, std::size_t chunk) = 0;
};

// Where complete records go: COPY FROM STDIN, or nowhere (a dry run, the line-number rescan).
class CopySink {
 public:
  virtual ~CopySink() = default;
  virtual void write(const char* data, std::size_t size) = 0;
  // A cheap check between chunks; throws when the far end already refused the data.
  virtual void check() {}
  // The end of the data: returns the rows taken (`records`, the scanner's count, when the sink
  // cannot count itself).
  virtual std::uint64_t finish(std::uint64_t records) = 0;
  // Gives up; never throws.
  virtual void abort(const std::string& reason) noexcept = 0;
};

class NullSink final : public CopySink {
 public:
  void write(const char*, std::size_t) override {}
  std::uint64_t finish(std::uint64_t records) override { return records; }
  void abort(const std::string&) noexcept override {}
};

// COPY TO STDOUT's data, chunk by chunk.
class CopySource {
 public:
  virtual ~CopySource() = default;
  // The next chunk, valid until the next call; false at the end (after the final result was checked).
  virtual bool next(std::string_view& chunk) = 0;
  virtual std::uint64_t rows() const = 0;  // once finished
};

// Server bytes to file bytes (record ends, client-side transcoding).
class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual const std::string& preamble() const = 0;  // a BOM, or nothing
  virtual void encode(std::string_view in, std::string& out) = 0;
  virtual void finish(std::string& out) = 0;  // what it still holds back; once, at the end
};

// Bytes out: a file put in place atomically, standard output, a device or FIFO.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const char* data, std::size_t size) = 0;
  virtual void commit() = 0;  // all went well: make the output final
  virtual std::uint64_t written() const = 0;
  // What reached the output: less than written() behind a compressing stage.
  virtual std::uint64_t stored() const { return written(); }
};

}  // namespace pgmonkey::transfer
