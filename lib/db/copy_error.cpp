// The server's error fields of a failed COPY.
#include "db/copy_error.hpp"

#include <libpq-fe.h>

#include <regex>

#include "core/strings.hpp"

namespace pgmonkey::db {
namespace {

std::string field(const PGresult* r, int code) {
  const char* v = r ? PQresultErrorField(r, code) : nullptr;
  return v ? v : "";
}

}  // namespace

std::string server_message(const std::string& text) {
  std::string s = core::trim(text);
  for (const char* prefix : {"ERROR:  ", "FATAL:  "})
    if (core::starts_with(s, prefix)) s.erase(0, std::char_traits<char>::length(prefix));
  return s;
}

void throw_copy_error(const pg_result* result, pg_conn* conn) {
  const bool lost = !conn || PQstatus(conn) == CONNECTION_BAD;
  std::string message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty() && result) message = server_message(PQresultErrorMessage(result));
  if (message.empty() && conn) message = server_message(PQerrorMessage(conn));
  if (message.empty()) message = lost ? "the connection to the server was lost" : "unknown error";
  std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
  std::string hint = field(result, PG_DIAG_MESSAGE_HINT);
  if (lost) {
    if (!core::starts_with(message, "lost the connection")) message = "lost the connection to the server: " + message;
    if (hint.empty()) hint = "the server closed the session (restart, crash, or pg_terminate_backend)";
    if (sqlstate.empty()) sqlstate = "08006";
  }
  std::string context = field(result, PG_DIAG_CONTEXT);
  auto [line, column] = parse_copy_context(context);
  throw CopyError(message, field(result, PG_DIAG_MESSAGE_DETAIL), hint, sqlstate, context, line, column, lost);
}

std::pair<std::optional<std::uint64_t>, std::string> parse_copy_context(const std::string& context) {
  static const std::regex re(R"(COPY [^\n]*?, line (\d+)(?:, column ([^:\n]+))?)");
  std::smatch m;
  if (!std::regex_search(context, m, re)) return {std::nullopt, {}};
  return {std::stoull(m[1].str()), m[2].matched ? m[2].str() : std::string()};
}

}  // namespace pgmonkey::db
