// COPY ... FROM STDIN over libpq: start, send chunks, finish or abort, with the server's error
// (SQLSTATE, message, detail, hint and the COPY line from its context) kept apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "db/connection.hpp"

namespace pgmonkey::db {

// A failed COPY: the server's fields plus the line COPY counted (its records, 1-based).
class CopyError : public JobError {
 public:
  CopyError(std::string message, std::string detail, std::string hint, std::string sqlstate, std::string context,
            std::optional<std::uint64_t> copy_line, std::string column, bool connection_lost)
      : JobError(std::move(message), std::move(detail), std::move(hint), std::move(sqlstate)),
        context_(std::move(context)),
        copy_line_(copy_line),
        column_(std::move(column)),
        connection_lost_(connection_lost) {}
  const std::string& context() const noexcept { return context_; }
  std::optional<std::uint64_t> copy_line() const noexcept { return copy_line_; }
  const std::string& column() const noexcept { return column_; }
  bool connection_lost() const noexcept { return connection_lost_; }

 private:
  std::string context_;
  std::optional<std::uint64_t> copy_line_;
  std::string column_;
  bool connection_lost_;
};

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
  // Tells the server the COPY failed (it rolls the statement back); drains the result.
  void abort(const std::string& reason) noexcept;
  // Whether the server has already reported an error in the middle of the COPY (it then skips
  // the rest of the data): a cheap check so a bad line early in a big file stops the upload.
  // Only seen on connections without TLS; with TLS the error comes at finish().
  bool server_reported_error() noexcept;
  // Ends the COPY after server_reported_error() and throws the server's error.
  [[noreturn]] void fail_after_server_error();

 private:
  [[noreturn]] void fail_from_result(void* result);
  [[noreturn]] void fail_connection(const std::string& what);

  Connection& conn_;
  bool open_ = false;
};

// Parses "COPY t, line 5, column b: \"x\"" from an error context: (line, column).
std::pair<std::optional<std::uint64_t>, std::string> parse_copy_context(const std::string& context);

}  // namespace pgmonkey::db
