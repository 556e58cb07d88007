// Cancelling statements: Ctrl-C and SIGTERM as a flag the long-running loops poll plus a cancel
// request for the running statement (so a blocked query or COPY returns), and a plain cancel.
#pragma once

#include <csignal>

struct pg_conn;
struct pg_cancel;

namespace pgmonkey::db {

enum class SigPipe {
  keep,    // the process keeps its SIGPIPE disposition
  ignore,  // a closed output pipe becomes a write error (EPIPE) instead of killing the process
};

// While alive, SIGINT, SIGTERM and SIGHUP (a closed terminal or dropped ssh session) no longer
// kill the process: they set the flag interrupted() reports; a signal that was ignored (nohup)
// stays ignored. The handlers run without SA_RESTART, so a read or write blocked on a pipe returns
// EINTR and its loop sees the flag. The previous handlers come back on destruction. Scopes nest;
// the outermost one clears the flag when it starts.
class SignalScope {
 public:
  explicit SignalScope(SigPipe pipe = SigPipe::keep) noexcept;
  ~SignalScope() noexcept;
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_hup_ {};
  struct sigaction old_pipe_ {};
  struct sigaction old_alarm_ {};
  bool pipe_ = false;
};

// A SignalScope that, while alive, also sends a cancel request for `conn`'s running statement
// when the signal arrives (PQcancel is async-signal-safe). A server that does not answer (a
// stopped backend, a dead network) must not hold the process: kCancelGraceSeconds after the
// first signal, or at once on a second one, the connection's socket is shut down, so whatever
// libpq call is waiting on it returns with a lost connection and the job ends as interrupted.
// Guards nest: the innermost connection is the one cancelled; the outer one comes back when
// the inner guard ends.
constexpr unsigned kCancelGraceSeconds = 3;

class CancelOnSignal {
 public:
  explicit CancelOnSignal(pg_conn* conn, SigPipe pipe = SigPipe::keep) noexcept;
  ~CancelOnSignal() noexcept;
  CancelOnSignal(const CancelOnSignal&) = delete;
  CancelOnSignal& operator=(const CancelOnSignal&) = delete;

 private:
  SignalScope signals_;
  pg_cancel* cancel_;
  pg_cancel* previous_;
  int previous_socket_;
};

// Sends a cancel request for `conn`'s running statement now (outside a signal handler: it
// allocates), e.g. for a COPY abandoned mid-stream. Never throws; a failed request is ignored.
void cancel_statement(pg_conn* conn) noexcept;

// Cancels one connection's running statement from another thread (a parallel import's
// coordinator stopping its sessions): made while the connection is idle, then safe to use while
// another thread runs a statement on it. cut() shuts its socket down for a server that does not
// answer the cancel.
// While alive, threads started from this one do not take SIGINT, SIGTERM, SIGHUP, SIGALRM or
// SIGPIPE: a worker blocked in libpq never swallows the signal the polling thread watches for.
class SignalsKeptFromWorkers {
 public:
  SignalsKeptFromWorkers() noexcept;
  ~SignalsKeptFromWorkers() noexcept;
  SignalsKeptFromWorkers(const SignalsKeptFromWorkers&) = delete;
  SignalsKeptFromWorkers& operator=(const SignalsKeptFromWorkers&) = delete;

 private:
  sigset_t old_;
};

class Canceller {
 public:
  explicit Canceller(pg_conn* conn) noexcept;
  ~Canceller() noexcept;
  Canceller(const Canceller&) = delete;
  Canceller& operator=(const Canceller&) = delete;
  void cancel() const noexcept;
  void cut() const noexcept;

 private:
  pg_cancel* cancel_;
  int socket_;
};

// True once SIGINT, SIGTERM or SIGHUP arrived while a SignalScope was alive (until the next outermost
// scope starts).
bool interrupted() noexcept;
// Throws InterruptedError when interrupted().
void throw_if_interrupted();
// Set or clear the flag as a signal would (tests, and re-use within one process).
void request_interrupt() noexcept;
void reset_interrupt() noexcept;

}  // namespace pgmonkey::db
