// The export's ByteSink: standard output and devices or FIFOs written in place, every regular
// file through a temp file put in place atomically (transfer/atomic_file.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "transfer/atomic_file.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

class OutputSink final : public ByteSink {
 public:
  // "-" is standard output. Throws UsageError for an existing target without `force`.
  OutputSink(const std::string& path, bool force);
  ~OutputSink() override;
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  void write(const char* data, std::size_t size) override;
  void commit() override;
  std::uint64_t written() const override { return written_; }

 private:
  std::string name_;
  std::unique_ptr<AtomicFile> file_;
  int fd_ = -1;
  bool owned_ = false;
  std::uint64_t written_ = 0;
};

}  // namespace pgmonkey::transfer
