// COPY ... TO STDOUT over libpq: start it, take the data chunk by chunk, check the final result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct pg_conn;

namespace pgmonkey::db {

// One COPY TO STDOUT in progress on a connection. libpqxx 6.4 has no raw CSV COPY, so this
// talks to libpq directly. Errors are thrown as db::CopyError (a JobError) carrying the server's SQLSTATE; a
// lost connection says so. If the object goes away before the end (the caller failed to write,
// or was interrupted), the destructor cancels the statement and drains the stream so the
// connection is usable for the ROLLBACK that follows.
class CopyOut {
 public:
  // Sends `copy_sql` (a COPY ... TO STDOUT statement) and waits for the server to start.
  CopyOut(pg_conn* conn, const std::string& copy_sql);
  ~CopyOut() noexcept;
  CopyOut(const CopyOut&) = delete;
  CopyOut& operator=(const CopyOut&) = delete;

  // The next chunk of data (PostgreSQL sends one row per chunk), valid until the next call.
  // Returns false at the end, after the final result was checked.
  bool next(std::string_view& chunk);

  // Rows the server reported once the COPY finished ("COPY n").
  std::uint64_t rows() const noexcept { return rows_; }
  bool finished() const noexcept { return finished_; }

 private:
  void release_buffer() noexcept;
  void finish();  // reads the final result; throws on error

  pg_conn* conn_;
  char* buffer_ = nullptr;
  bool finished_ = false;
  std::uint64_t rows_ = 0;
};

}  // namespace pgmonkey::db
