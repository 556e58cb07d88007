// Temp file + fsync + rename, with the temp file removed on every failure path.
#include "transfer/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.hpp"

namespace pgmonkey::transfer {
namespace {

std::string folder_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

[[noreturn]] void fail(const std::string& what, int err, const std::string& hint = {}) {
  throw JobError(what + ": " + std::strerror(err), {}, hint);
}

// The mode open(2) would give a new file: 0666 minus the umask.
mode_t default_mode() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return static_cast<mode_t>(0666 & ~mask);
}

}  // namespace

bool is_special_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

void write_all(int fd, const char* data, std::size_t size, const std::string& what) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + what, errno,
           errno == ENOSPC || errno == EDQUOT || errno == EFBIG ? "free some space or choose another folder"
                                                                : std::string());
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

AtomicFile::AtomicFile(std::string target, bool overwrite) : target_(std::move(target)) {
  struct stat st {};
  if (::stat(target_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw UsageError(target_ + " is a folder", "give a file name with -o");
    if (!overwrite) throw UsageError("refusing to overwrite existing file " + target_, "pass --force to replace it");
  } else if (::lstat(target_.c_str(), &st) == 0 && !overwrite) {
    // A dangling symbolic link is still a name someone made: the rename would replace it.
    throw UsageError("refusing to replace " + target_ + ", a symbolic link to a missing file",
                     "pass --force to replace the link with the file, or remove it");
  }
  // Hidden, next to the target, recognisable: .NAME.pgexport-XXXXXX, with NAME cut so that a
  // target name near the 255-byte limit still gets a temp file.
  const std::string suffix = ".pgexport-XXXXXX";
  std::string name = name_of(target_).substr(0, 255 - 1 - suffix.size());
  std::string pattern = folder_of(target_) + "/." + name + suffix;
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  fd_ = ::mkstemp(buf.data());
  if (fd_ < 0) {
    int err = errno;
    fail("cannot create a file in " + folder_of(target_), err,
         err == EACCES || err == EROFS || err == EPERM ? "the folder is not writable; choose another with -o"
         : err == ENOENT                               ? "the folder does not exist"
                                                       : std::string());
  }
  temp_.assign(buf.data());
}

AtomicFile::~AtomicFile() noexcept {
  discard();
}

void AtomicFile::write(const char* data, std::size_t size) {
  write_all(fd_, data, size, target_);
  written_ += size;
#ifdef SYNC_FILE_RANGE_WRITE
  // Start writeback as the data comes, without waiting for it, so the fsync at commit has only
  // the tail left to wait for instead of the whole file.
  constexpr std::uint64_t kWritebackBytes = 8u << 20;
  if (written_ - flushed_ >= kWritebackBytes) {
    (void)::sync_file_range(fd_, static_cast<off_t>(flushed_), static_cast<off_t>(written_ - flushed_),
                            SYNC_FILE_RANGE_WRITE);
    flushed_ = written_;
  }
#endif
}

void AtomicFile::commit() {
  struct stat st {};
  mode_t mode = ::stat(target_.c_str(), &st) == 0 ? (st.st_mode & 07777) : default_mode();
  if (::fchmod(fd_, mode) != 0) fail("cannot set the mode of " + temp_, errno);
  if (::fsync(fd_) != 0) fail("cannot write " + target_ + " to disk", errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot write " + target_, errno);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("cannot rename the temp file to " + target_, errno);
  committed_ = true;
  temp_.clear();
  // The rename itself is durable only once the folder is synced.
  int dir = ::open(folder_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

}  // namespace pgmonkey::transfer
