// COPY ... FROM STDIN over libpq: start, send chunks, finish or abort; failures are CopyErrors
// with the server's fields (SQLSTATE, message, detail, hint and the COPY line) kept apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "db/connection.hpp"
#include "db/copy_error.hpp"

namespace pgmonkey::db {

class CopyIn {
 public:
  // Sends `copy_sql` (a COPY ... FROM STDIN statement) and expects the server to start copying.
  CopyIn(Connection& conn, const std::string& copy_sql);
  // Aborts a COPY that was neither finished nor aborted; never throws.
  ~CopyIn() noexcept;
  CopyIn(const CopyIn&) = delete;
  CopyIn& operator=(const CopyIn&) = delete;

  // Queues data (libpq buffers and sends it). Throws CopyError when the connection is gone.
  void write(const char* data, std::size_t size);
  // Ends the data and waits for the server's verdict; returns the rows it reports.
  std::uint64_t finish();
  // For a `copy_sql` that goes on after its COPY (`...; COPY ... FROM STDIN; RELEASE SAVEPOINT s;
  // SAVEPOINT s; COPY ... FROM STDIN`): finish_copy() ends the data and takes this COPY's verdict
  // only (a refusal is thrown; the server then skips the rest of the string); next_copy() runs
  // on to the string's next COPY and copies into it (true), or reads the string's end (false).
  // The next COPY starts in the same round trip as the verdict.
  std::uint64_t finish_copy();
  bool next_copy();
  // Tells the server the COPY failed (it rolls the statement back); drains the result.
  void abort(const std::string& reason) noexcept;
  // Whether the server has already reported an error in the middle of the COPY (it then skips
  // the rest of the data): a cheap check so a bad line early in a big file stops the upload.
  // Only seen on connections without TLS; with TLS the error comes at finish().
  bool server_reported_error() noexcept;
  // Ends the COPY after server_reported_error() and throws the server's error.
  [[noreturn]] void fail_after_server_error();

 private:
  Connection& conn_;
  bool open_ = false;
};

}  // namespace pgmonkey::db
