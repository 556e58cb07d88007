// Bounded reads of small regular files: stat first, open without blocking, read at most limit + 1.
#include "config/small_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pgmonkey::config {
namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// Closes the descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string describe_bytes(unsigned long long bytes) {
  if (bytes >= 1024ULL * 1024 * 1024)
    return fmt::format("{:.1f} GiB ({} bytes)", static_cast<double>(bytes) / (1024.0 * 1024 * 1024), bytes);
  if (bytes >= 1024ULL * 1024)
    return fmt::format("{:.1f} MiB ({} bytes)", static_cast<double>(bytes) / (1024.0 * 1024), bytes);
  return fmt::format("{} bytes", bytes);
}

std::string read_small_file(const std::string& path, std::size_t limit, const std::string& what) {
  const std::string fix = "give the path of a " + what + " file";
  auto too_big = [&](unsigned long long size) {
    return SmallFileError(
        fmt::format("{} {} is {}, over the limit of {}", what, path, describe_bytes(size), describe_bytes(limit)),
        "check the path: a " + what + " file is small");
  };
  // stat() never blocks, whatever the path names; reject what is not a regular file before open().
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    throw SmallFileError("cannot read " + what + " " + path + ": " + std::strerror(err), fix, err);
  }
  if (!S_ISREG(st.st_mode))
    throw SmallFileError(fmt::format("cannot read {} {}: it is {}", what, path, kind_of(st.st_mode)), fix);
  if (static_cast<unsigned long long>(st.st_size) > limit) throw too_big(static_cast<unsigned long long>(st.st_size));
  // O_NONBLOCK: should the path have been swapped for a FIFO since stat(), open() must not wait.
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (f.fd < 0) {
    const int err = errno;
    throw SmallFileError("cannot read " + what + " " + path + ": " + std::strerror(err), fix, err);
  }
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw SmallFileError(fmt::format("cannot read {} {}: it is {}", what, path, kind_of(st.st_mode)), fix);
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(f.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      throw SmallFileError("cannot read " + what + " " + path + ": " + std::strerror(err), fix, err);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > limit) throw too_big(text.size());  // it grew while being read
  }
  return text;
}

}  // namespace pgmonkey::config
