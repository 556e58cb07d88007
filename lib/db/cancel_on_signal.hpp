// Ctrl-C and SIGTERM during a long statement: remember the signal and cancel the query.
#pragma once

struct pg_conn;

namespace pgmonkey::db {

// While alive, SIGINT and SIGTERM no longer kill the process: they set a flag and send a
// cancel request for `conn`'s running statement (PQcancel is safe inside a signal handler),
// so a blocked COPY returns promptly and the caller unwinds normally, cleaning up as it goes.
// SIGPIPE is ignored so a closed output pipe becomes a write error. The previous handlers come
// back on destruction. One guard at a time per process.
class CancelOnSignal {
 public:
  explicit CancelOnSignal(pg_conn* conn);
  ~CancelOnSignal() noexcept;
  CancelOnSignal(const CancelOnSignal&) = delete;
  CancelOnSignal& operator=(const CancelOnSignal&) = delete;

  // True once SIGINT or SIGTERM arrived while the guard was alive.
  static bool interrupted() noexcept;
  // Throws InterruptedError when interrupted().
  static void throw_if_interrupted();
};

}  // namespace pgmonkey::db
