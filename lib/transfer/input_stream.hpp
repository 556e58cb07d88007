// The file to import (or standard input) as a stream of raw bytes read in fixed-size pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace pgmonkey::transfer {

class InputStream {
 public:
  // "-" is standard input. Throws JobError when the file cannot be opened.
  explicit InputStream(const std::string& path);
  ~InputStream() noexcept;
  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  // Up to `cap` bytes; 0 at the end. A signal that interrupts a blocked read and set the
  // interrupt flag ends the job with InterruptedError.
  std::size_t read(char* buf, std::size_t cap);
  // Fills `out` (appending) until it holds `want` bytes or the input ends; false at the end.
  bool read_until(std::string& out, std::size_t want);

  std::optional<std::uint64_t> size() const noexcept { return size_; }  // regular files only
  std::uint64_t consumed() const noexcept { return consumed_; }
  const std::string& name() const noexcept { return name_; }
  bool is_stdin() const noexcept { return fd_ == 0; }

 private:
  int fd_ = -1;
  std::string name_;
  std::optional<std::uint64_t> size_;
  std::uint64_t consumed_ = 0;
};

}  // namespace pgmonkey::transfer
