// The file to import (or standard input) as the import's ByteSource, read with read(2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

class InputStream final : public ByteSource {
 public:
  // The opener for `path`; it reopens a regular file, not standard input or a pipe.
  static ByteSourceOpener opener(const std::string& path);

  // "-" is standard input. Throws JobError when the file cannot be opened.
  explicit InputStream(const std::string& path);
  ~InputStream() noexcept override;
  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  // Up to `cap` bytes; 0 at the end. A signal that interrupts a blocked read and set the
  // interrupt flag ends the job with InterruptedError. A regular file must yield exactly the
  // size it had when opened: one that shrinks or grows meanwhile is a JobError.
  std::size_t read(char* buf, std::size_t cap) override;

  std::optional<std::uint64_t> size() const override { return size_; }  // regular files only
  std::uint64_t consumed() const override { return consumed_; }
  const std::string& name() const override { return name_; }

 private:
  int fd_ = -1;
  std::string name_;
  std::optional<std::uint64_t> size_;
  std::uint64_t consumed_ = 0;
};

}  // namespace pgmonkey::transfer
