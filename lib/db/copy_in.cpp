// COPY FROM STDIN with libpq.
#include "db/copy_in.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>

#include <memory>
#include <regex>

#include "core/strings.hpp"

namespace pgmonkey::db {
namespace {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string field(const PGresult* r, int code) {
  const char* v = PQresultErrorField(r, code);
  return v ? v : "";
}

std::string conn_message(PGconn* c) {
  return core::trim(PQerrorMessage(c));
}

}  // namespace

std::pair<std::optional<std::uint64_t>, std::string> parse_copy_context(const std::string& context) {
  static const std::regex re(R"(COPY [^\n]*?, line (\d+)(?:, column ([^:\n]+))?)");
  std::smatch m;
  if (!std::regex_search(context, m, re)) return {std::nullopt, {}};
  return {std::stoull(m[1].str()), m[2].matched ? m[2].str() : std::string()};
}

CopyIn::CopyIn(Connection& conn, const std::string& copy_sql) : conn_(conn) {
  PGconn* c = conn_.raw();
  if (!c) fail_connection("no connection");
  ResultPtr r(PQexec(c, copy_sql.c_str()), PQclear);
  if (!r) fail_connection(conn_message(c));
  if (PQresultStatus(r.get()) != PGRES_COPY_IN) fail_from_result(r.release());  // takes ownership
  open_ = true;
}

CopyIn::~CopyIn() noexcept {
  if (open_) abort("the import stopped");
}

void CopyIn::write(const char* data, std::size_t size) {
  PGconn* c = conn_.raw();
  while (size > 0) {
    int n = size > (1u << 30) ? (1 << 30) : static_cast<int>(size);
    if (PQputCopyData(c, data, n) != 1) {
      open_ = false;
      fail_connection(conn_message(c));
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
  if (PQputCopyEnd(c, "stopped after the server reported an error") != 1) fail_connection(conn_message(c));
  PGresult* first = PQgetResult(c);
  while (PGresult* rest = PQgetResult(c)) PQclear(rest);
  if (!first) fail_connection(conn_message(c));
  fail_from_result(first);
}

std::uint64_t CopyIn::finish() {
  PGconn* c = conn_.raw();
  open_ = false;
  if (PQputCopyEnd(c, nullptr) != 1) fail_connection(conn_message(c));
  ResultPtr r(PQgetResult(c), PQclear);
  if (!r) fail_connection(conn_message(c));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    // Drain so the connection is usable for the ROLLBACK.
    PGresult* rest;
    ResultPtr first = std::move(r);
    while ((rest = PQgetResult(c)) != nullptr) PQclear(rest);
    fail_from_result(first.release());
  }
  std::uint64_t rows = 0;
  if (auto n = core::parse_int(PQcmdTuples(r.get()))) rows = static_cast<std::uint64_t>(*n);
  while (PGresult* rest = PQgetResult(c)) PQclear(rest);
  return rows;
}

void CopyIn::abort(const std::string& reason) noexcept {
  PGconn* c = conn_.raw();
  open_ = false;
  if (!c) return;
  if (PQputCopyEnd(c, reason.c_str()) == 1)
    while (PGresult* r = PQgetResult(c)) PQclear(r);
}

void CopyIn::fail_from_result(void* result) {
  ResultPtr r(static_cast<PGresult*>(result), PQclear);
  PGconn* c = conn_.raw();
  std::string message = field(r.get(), PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = core::trim(PQresultErrorMessage(r.get()));
  bool lost = PQstatus(c) == CONNECTION_BAD;
  if (message.empty()) message = lost ? "the connection to the server was lost" : conn_message(c);
  std::string context = field(r.get(), PG_DIAG_CONTEXT);
  auto [line, column] = parse_copy_context(context);
  throw CopyError(message, field(r.get(), PG_DIAG_MESSAGE_DETAIL), field(r.get(), PG_DIAG_MESSAGE_HINT),
                  field(r.get(), PG_DIAG_SQLSTATE), context, line, column, lost);
}

void CopyIn::fail_connection(const std::string& what) {
  bool lost = !conn_.raw() || PQstatus(conn_.raw()) == CONNECTION_BAD;
  throw CopyError(lost ? "lost the connection to the server: " + what : what, {},
                  lost ? "the server closed the session (restart, crash, or pg_terminate_backend)" : "", {}, {},
                  std::nullopt, {}, lost);
}

}  // namespace pgmonkey::db
