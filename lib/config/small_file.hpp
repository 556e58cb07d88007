// Reads a file that must be small and regular (a config, a from_file secret) without hanging on
// a FIFO or a device and without reading more than a limit.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace pgmonkey::config {

// A pgmonkey config is a few hundred bytes; a megabyte leaves room for long comments.
inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

// Why the file was not read; the message names the path and the reason, never the content.
class SmallFileError : public std::runtime_error {
 public:
  SmallFileError(std::string message, std::string hint, int error_number = 0)
      : std::runtime_error(std::move(message)), hint_(std::move(hint)), errno_(error_number) {}
  const std::string& hint() const noexcept { return hint_; }
  int error_number() const noexcept { return errno_; }  // the errno of a failed stat/open/read, else 0

 private:
  std::string hint_;
  int errno_;
};

// The whole content of `path`, refused (SmallFileError) before reading when it is not a
// regular file (a folder, FIFO, socket or device) or is larger than `limit` bytes, and while
// reading should it grow past the limit. `what` names the file in messages ("config").
std::string read_small_file(const std::string& path, std::size_t limit, const std::string& what);

// "1.5 MiB (1572864 bytes)": a size for messages.
std::string describe_bytes(unsigned long long bytes);

}  // namespace pgmonkey::config
