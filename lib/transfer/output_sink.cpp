// Where the exported bytes go.
#include "transfer/output_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace pgmonkey::transfer {

OutputSink::OutputSink(const std::string& path, bool force) : name_(path == "-" ? "standard output" : path) {
  if (path == "-") {
    fd_ = STDOUT_FILENO;
  } else if (is_special_file(path)) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw JobError("cannot open " + path + ": " + std::strerror(errno));
    owned_ = true;
  } else {
    file_ = std::make_unique<AtomicFile>(path, force);
  }
}

OutputSink::~OutputSink() {
  if (owned_) ::close(fd_);
}

void OutputSink::write(const char* data, std::size_t size) {
  if (file_)
    file_->write(data, size);
  else
    write_all(fd_, data, size, name_);
  written_ += size;
}

void OutputSink::commit() {
  if (file_) file_->commit();
}

}  // namespace pgmonkey::transfer
