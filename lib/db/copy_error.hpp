// A failed COPY in either direction, built in one place from the server's error fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/error.hpp"

struct pg_conn;
struct pg_result;

namespace pgmonkey::db {

// The server's fields plus the line COPY counted (its records, 1-based) and the column.
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

// libpq's "ERROR:  text\n" without the severity prefix and the trailing newline.
std::string server_message(const std::string& text);

// Throws the CopyError for `result` (may be null: the connection's own message is used). A lost
// connection says so, with a hint.
[[noreturn]] void throw_copy_error(const pg_result* result, pg_conn* conn);

// Parses "COPY t, line 5, column b: \"x\"" from an error context: (line, column).
std::pair<std::optional<std::uint64_t>, std::string> parse_copy_context(const std::string& context);

}  // namespace pgmonkey::db
