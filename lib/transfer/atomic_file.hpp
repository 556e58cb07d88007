// A file that appears under its final name only when complete: temp file, fsync, rename.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pgmonkey::transfer {

// Writes go to a temp file in the target's folder (so the rename stays on one filesystem).
// commit() fsyncs it, gives it the mode a plain new file would have (or the replaced file's),
// renames it over the target and fsyncs the folder. Until then the target is untouched; if
// the object is destroyed without commit() the temp file is removed.
class AtomicFile {
 public:
  // Refuses an existing target unless `overwrite`; throws UsageError for that, JobError when
  // the temp file cannot be created (read-only folder, missing folder, ...).
  AtomicFile(std::string target, bool overwrite);
  ~AtomicFile() noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends all of `data`; throws JobError on any failure (disk full, quota, I/O).
  void write(const char* data, std::size_t size);
  void commit();
  // Removes the temp file now; safe to call twice.
  void discard() noexcept;

  const std::string& target() const noexcept { return target_; }
  const std::string& temp_path() const noexcept { return temp_; }

 private:
  std::string target_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
  std::uint64_t written_ = 0;
  std::uint64_t flushed_ = 0;  // bytes whose writeback was already started
};

// True when `path` exists and is a device, FIFO or socket (/dev/null, a named pipe): those
// cannot be replaced by a rename and are written in place instead.
bool is_special_file(const std::string& path);

// Writes everything to a file descriptor, retrying short writes and EINTR; throws JobError
// naming `what` on failure.
void write_all(int fd, const char* data, std::size_t size, const std::string& what);

}  // namespace pgmonkey::transfer
