// Reading the input with read(2), so a signal can interrupt a read blocked on a pipe.
#include "transfer/input_stream.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "db/cancel_on_signal.hpp"

namespace pgmonkey::transfer {

InputStream::InputStream(const std::string& path) {
  if (path == "-") {
    fd_ = 0;
    name_ = "standard input";
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      throw JobError("cannot open " + path + ": " + std::strerror(errno), {}, "check the path and its permissions");
    name_ = path;
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw JobError(path + " is a directory, not a CSV file");
    if (S_ISREG(st.st_mode)) size_ = static_cast<std::uint64_t>(st.st_size);
  }
#ifdef POSIX_FADV_SEQUENTIAL
  if (size_) (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

ByteSourceOpener InputStream::opener(const std::string& path) {
  if (path == "-") return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  return [path] { return std::make_unique<InputStream>(path); };
}

InputStream::~InputStream() noexcept {
  if (fd_ > 0) ::close(fd_);
}

std::size_t InputStream::read(char* buf, std::size_t cap) {
  while (true) {
    db::throw_if_interrupted();
    ssize_t n = ::read(fd_, buf, cap);
    if (n >= 0) {
      consumed_ += static_cast<std::uint64_t>(n);
      // A regular file is all of the size it had when opened, no more and no less: a file cut
      // or appended to while it is read would otherwise lose or split its last record.
      if (size_ && (consumed_ > *size_ || (n == 0 && consumed_ != *size_)))
        throw JobError(fmt::format("{} changed while it was read: it had {} bytes when opened, {}", name_, *size_,
                                   consumed_ > *size_ ? "and grew" : fmt::format("but ended after {}", consumed_)),
                       {}, "import a file nothing else writes to (copy it first); nothing was imported");
      return static_cast<std::size_t>(n);
    }
    if (errno == EINTR) continue;
    throw JobError("cannot read " + name_ + ": " + std::strerror(errno));
  }
}

}  // namespace pgmonkey::transfer
