// --reject-file: the rejected records as they were in the input (its encoding, its line endings,
// the header first) and PATH.log with the reasons, both put in place atomically, only when there
// are rejects.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "encoding/detect.hpp"
#include "transfer/atomic_file.hpp"
#include "transfer/reject_sink.hpp"

namespace pgmonkey::encoding {
class Transcoder;
}

namespace pgmonkey::transfer {

// FILE.rejects.csv next to FILE (data.csv → data.rejects.csv); empty for standard input.
std::string default_reject_path(const std::string& file);

// Whether text decoded from `encoding` and encoded back is the input byte for byte, so a
// rejected record can be written from its decoded text: UTF-8 (never converted), UTF-16 and
// UTF-32, and single-byte encodings whose 256 bytes all round-trip one to one.
bool reencodes_exactly(const encoding::EncodingChoice& encoding);

class RejectFile {
 public:
  // Throws UsageError when PATH or PATH.log exists and not `force`: before anything is sent.
  RejectFile(std::string path, bool force, const encoding::EncodingChoice& encoding, std::string source);
  ~RejectFile();
  RejectFile(const RejectFile&) = delete;
  RejectFile& operator=(const RejectFile&) = delete;

  void set_header(std::string_view raw) { header_ = std::string(raw); }
  void add(const Rejected& r);
  // Puts both files in place (when there were rejects).
  void commit();

  const std::string& path() const noexcept { return path_; }
  std::string log_path() const { return path_ + ".log"; }
  std::uint64_t count() const noexcept { return count_; }

 private:
  void write_raw(std::string_view text);
  void flush();

  std::string path_;
  bool force_;
  encoding::EncodingChoice encoding_;
  std::string source_;
  std::string header_;
  std::unique_ptr<encoding::Transcoder> back_;  // UTF-8 → the input's encoding
  std::unique_ptr<AtomicFile> data_;
  std::unique_ptr<AtomicFile> log_;
  std::uint64_t count_ = 0;
  std::string buf_;
  // Written in blocks: with dense errors, one write per reject would be a system call per row.
  std::string data_pending_;
  std::string log_pending_;
};

}  // namespace pgmonkey::transfer
