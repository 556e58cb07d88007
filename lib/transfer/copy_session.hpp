// The COPY stages on a session: COPY FROM STDIN as the import's CopySink, COPY TO STDOUT as the
// export's CopySource. Each lives inside its transaction and ends (or cancels) its COPY when it goes.
#pragma once

#include <memory>
#include <string>

#include "db/copy_in.hpp"
#include "db/copy_out.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

class CopyInSink final : public CopySink {
 public:
  // Starts `copy_sql`; throws db::CopyError when the server refuses it.
  CopyInSink(db::Connection& conn, const std::string& copy_sql) : copy_(conn, copy_sql) {}
  void write(const char* data, std::size_t size) override { copy_.write(data, size); }
  // Without TLS an error the server sent mid-stream is seen early, so a bad line at the start
  // of a big file stops the upload; checked every few chunks, it costs nothing.
  void check() override {
    if (++chunks_ % 16 == 0 && copy_.server_reported_error()) copy_.fail_after_server_error();
  }
  std::uint64_t finish(std::uint64_t) override { return copy_.finish(); }
  void abort(const std::string& reason) noexcept override { copy_.abort(reason); }

 private:
  db::CopyIn copy_;
  unsigned chunks_ = 0;
};

class CopyOutSource final : public CopySource {
 public:
  CopyOutSource(pg_conn* conn, const std::string& copy_sql) : copy_(conn, copy_sql) {}
  bool next(std::string_view& chunk) override { return copy_.next(chunk); }
  std::uint64_t rows() const override { return copy_.rows(); }

 private:
  db::CopyOut copy_;
};

}  // namespace pgmonkey::transfer
