// COPY ... TO STDOUT over libpq: the stream, its final result, and cleanup when abandoned.
#include "db/copy_out.hpp"

#include <libpq-fe.h>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/cancel_on_signal.hpp"

namespace pgmonkey::db {
namespace {

// The primary message without libpq's severity prefix and trailing newline.
std::string message_of(const PGresult* res, pg_conn* conn) {
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary) return primary;
  std::string s = core::trim(PQerrorMessage(conn));
  for (const char* prefix : {"ERROR:  ", "FATAL:  "})
    if (core::starts_with(s, prefix)) s.erase(0, std::char_traits<char>::length(prefix));
  return s.empty() ? std::string("unknown error") : s;
}

[[noreturn]] void throw_result_error(const PGresult* res, pg_conn* conn) {
  if (PQstatus(conn) == CONNECTION_BAD)
    throw JobError(
        "lost the connection to the server: " + message_of(res, conn), {},
        "the server closed the session (restart, crash, or pg_terminate_backend)",
        res && PQresultErrorField(res, PG_DIAG_SQLSTATE) ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "08006");
  const char* detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : nullptr;
  const char* hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : nullptr;
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  throw JobError(message_of(res, conn), detail ? detail : "", hint ? hint : "", state ? state : "");
}

struct ResultGuard {
  PGresult* res;
  ~ResultGuard() { PQclear(res); }
};

}  // namespace

CopyOut::CopyOut(pg_conn* conn, const std::string& copy_sql) : conn_(conn) {
  if (!PQsendQuery(conn_, copy_sql.c_str())) throw_result_error(nullptr, conn_);
  ResultGuard first{PQgetResult(conn_)};
  if (PQresultStatus(first.res) == PGRES_COPY_OUT) return;
  // Not a COPY after all (an error): read to the end so the connection is idle again.
  finished_ = true;
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  throw_result_error(first.res, conn_);
}

CopyOut::~CopyOut() noexcept {
  release_buffer();
  if (finished_) return;
  // Abandoned mid-stream: ask the server to stop, then drain what is already on the way.
  cancel_statement(conn_);
  char* buf = nullptr;
  while (PQgetCopyData(conn_, &buf, 0) > 0) PQfreemem(buf);
  while (PGresult* res = PQgetResult(conn_)) PQclear(res);
}

void CopyOut::release_buffer() noexcept {
  if (buffer_) PQfreemem(buffer_);
  buffer_ = nullptr;
}

bool CopyOut::next(std::string_view& chunk) {
  release_buffer();
  if (finished_) return false;
  int n = PQgetCopyData(conn_, &buffer_, 0);
  if (n > 0) {
    chunk = std::string_view(buffer_, static_cast<std::size_t>(n));
    return true;
  }
  finish();
  return false;
}

void CopyOut::finish() {
  finished_ = true;
  ResultGuard res{PQgetResult(conn_)};
  bool ok = PQresultStatus(res.res) == PGRES_COMMAND_OK;
  if (ok) {
    auto n = core::parse_int(PQcmdTuples(res.res));
    rows_ = n ? static_cast<std::uint64_t>(*n) : 0;
  }
  // Always read to the terminating null so the connection is ready for the next command.
  PGresult* failure = nullptr;
  while (PGresult* extra = PQgetResult(conn_)) {
    if (!failure && PQresultStatus(extra) == PGRES_FATAL_ERROR)
      failure = extra;
    else
      PQclear(extra);
  }
  ResultGuard failure_guard{failure};
  if (!ok) throw_result_error(res.res, conn_);
  if (failure) throw_result_error(failure, conn_);
}

}  // namespace pgmonkey::db
