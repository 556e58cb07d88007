// COPY FROM STDIN with libpq.
#include "db/copy_in.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

#include "core/strings.hpp"

namespace pgmonkey::db {
namespace {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

}  // namespace

CopyIn::CopyIn(Connection& conn, const std::string& copy_sql) : conn_(conn) {
  PGconn* c = conn_.raw();
  if (!c) throw_copy_error(nullptr, c);
  ResultPtr r(PQexec(c, copy_sql.c_str()), PQclear);
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) {
    while (PGresult* rest = PQgetResult(c)) PQclear(rest);
    throw_copy_error(r.get(), c);
  }
  open_ = true;
}

CopyIn::~CopyIn() noexcept {
  if (open_) abort("the import stopped");
}

void CopyIn::write(const char* data, std::size_t size) {
  PGconn* c = conn_.raw();
  // In pieces: libpq grows its send buffer to the largest message it is handed and keeps it for
  // the session's life; 32 kB pieces (with the 5-byte header) cost a few more send(2) calls and
  // nothing measurable, whoever writes (one session, N sessions, --max-errors batches).
  constexpr std::size_t kPiece = 32 * 1024 - 5;
  while (size > 0) {
    int n = static_cast<int>(std::min(size, kPiece));
    if (PQputCopyData(c, data, n) != 1) {
      open_ = false;
      throw_copy_error(nullptr, c);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

bool CopyIn::server_reported_error() noexcept {
  PGconn* c = conn_.raw();
  if (!c || PQsslInUse(c)) return false;
  pollfd pfd{PQsocket(c), POLLIN, 0};
  if (::poll(&pfd, 1, 0) <= 0) return false;
  char type = 0;
  if (::recv(pfd.fd, &type, 1, MSG_PEEK | MSG_DONTWAIT) != 1) return false;
  if (type == 'E') return true;
  // A notice (a trigger's RAISE NOTICE): let libpq take it so it is not seen again.
  PQconsumeInput(c);
  return false;
}

void CopyIn::fail_after_server_error() {
  PGconn* c = conn_.raw();
  open_ = false;
  if (PQputCopyEnd(c, "stopped after the server reported an error") != 1) throw_copy_error(nullptr, c);
  ResultPtr first(PQgetResult(c), PQclear);
  while (PGresult* rest = PQgetResult(c)) PQclear(rest);
  throw_copy_error(first.get(), c);
}

std::uint64_t CopyIn::finish() {
  const std::uint64_t rows = finish_copy();
  // Nothing follows this COPY: the connection is ready for the next statement.
  while (PGresult* rest = PQgetResult(conn_.raw())) PQclear(rest);
  return rows;
}

std::uint64_t CopyIn::finish_copy() {
  PGconn* c = conn_.raw();
  open_ = false;
  if (PQputCopyEnd(c, nullptr) != 1) throw_copy_error(nullptr, c);
  ResultPtr r(PQgetResult(c), PQclear);
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    // After an error the server skips the rest of the string: no COPY can follow.
    while (PGresult* rest = PQgetResult(c)) PQclear(rest);
    throw_copy_error(r.get(), c);
  }
  std::uint64_t rows = 0;
  if (auto n = core::parse_int(PQcmdTuples(r.get()))) rows = static_cast<std::uint64_t>(*n);
  return rows;
}

bool CopyIn::next_copy() {
  PGconn* c = conn_.raw();
  while (true) {
    ResultPtr r(PQgetResult(c), PQclear);
    if (!r) return false;
    switch (PQresultStatus(r.get())) {
      case PGRES_COPY_IN:
        open_ = true;
        return true;
      case PGRES_COMMAND_OK:
        break;
      default:
        while (PGresult* rest = PQgetResult(c)) PQclear(rest);
        throw_copy_error(r.get(), c);
    }
  }
}

void CopyIn::abort(const std::string& reason) noexcept {
  PGconn* c = conn_.raw();
  open_ = false;
  if (!c) return;
  if (PQputCopyEnd(c, reason.c_str()) == 1)
    while (PGresult* r = PQgetResult(c)) PQclear(r);
}

}  // namespace pgmonkey::db
