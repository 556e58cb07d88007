// COPY ... TO STDOUT over libpq: the stream, its final result, and cleanup when abandoned.
#include "db/copy_out.hpp"

#include <libpq-fe.h>

#include "core/strings.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/copy_error.hpp"

namespace pgmonkey::db {
namespace {

struct ResultGuard {
  PGresult* res;
  ~ResultGuard() { PQclear(res); }
};

}  // namespace

CopyOut::CopyOut(pg_conn* conn, const std::string& copy_sql) : conn_(conn) {
  if (!PQsendQuery(conn_, copy_sql.c_str())) throw_copy_error(nullptr, conn_);
  ResultGuard first{PQgetResult(conn_)};
  if (PQresultStatus(first.res) == PGRES_COPY_OUT) return;
  // Not a COPY after all (an error): read to the end so the connection is idle again.
  finished_ = true;
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  throw_copy_error(first.res, conn_);
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
  if (!ok) throw_copy_error(res.res, conn_);
  if (failure) throw_copy_error(failure, conn_);
}

}  // namespace pgmonkey::db
