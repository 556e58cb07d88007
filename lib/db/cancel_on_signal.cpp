// Signal handlers that turn Ctrl-C/SIGTERM/SIGHUP into a flag plus a server-side cancel request; plain cancels.
#include "db/cancel_on_signal.hpp"

#include <libpq-fe.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "core/error.hpp"

namespace pgmonkey::db {
namespace {

// The handlers may only touch these: a sig_atomic_t and lock-free atomics.
volatile std::sig_atomic_t g_interrupted = 0;
std::atomic<int> g_signals{0};  // signals since the outermost scope started
std::atomic<PGcancel*> g_cancel{nullptr};
std::atomic<int> g_socket{-1};  // the guarded connection's socket
static_assert(std::atomic<PGcancel*>::is_always_lock_free, "the signal handler needs a lock-free pointer");
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free int");

int g_depth = 0;  // live SignalScopes; only the main flow of control changes it

// Makes every libpq call waiting on the connection return (shutdown(2) is async-signal-safe);
// libpq then reports the connection lost and closes the socket itself.
void cut_connection() noexcept {
  int fd = g_socket.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

extern "C" void on_signal(int) {
  g_interrupted = 1;
  if (g_signals.fetch_add(1) > 0) {  // a second Ctrl-C: stop waiting now
    cut_connection();
    return;
  }
  ::alarm(kCancelGraceSeconds);  // armed first: the cancel request itself may hang
  if (PGcancel* c = g_cancel.load()) {
    char err[256];
    PQcancel(c, err, sizeof err);
  }
}

extern "C" void on_alarm(int) {
  if (g_interrupted) cut_connection();  // the server did not act on the cancel in time
}

void install(int sig, void (*handler)(int), struct sigaction* old) noexcept {
  // An ignored signal stays ignored: nohup's SIGHUP, a background job's SIGINT.
  sigaction(sig, nullptr, old);
  if (old->sa_handler == SIG_IGN && handler != SIG_IGN) return;
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read or write comes back and sees the flag
  sigaction(sig, &sa, old);
}

}  // namespace

SignalScope::SignalScope(SigPipe pipe) noexcept : pipe_(pipe == SigPipe::ignore) {
  if (g_depth++ == 0) {
    g_interrupted = 0;
    g_signals = 0;
  }
  install(SIGALRM, on_alarm, &old_alarm_);
  install(SIGINT, on_signal, &old_int_);
  install(SIGTERM, on_signal, &old_term_);
  install(SIGHUP, on_signal, &old_hup_);
  if (pipe_) install(SIGPIPE, SIG_IGN, &old_pipe_);
}

SignalScope::~SignalScope() noexcept {
  if (pipe_) sigaction(SIGPIPE, &old_pipe_, nullptr);
  sigaction(SIGHUP, &old_hup_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  sigaction(SIGINT, &old_int_, nullptr);
  if (--g_depth == 0) ::alarm(0);  // the job is over; a pending grace timer must not fire later
  sigaction(SIGALRM, &old_alarm_, nullptr);
}

CancelOnSignal::CancelOnSignal(pg_conn* conn, SigPipe pipe) noexcept
    : signals_(pipe),
      cancel_(conn ? PQgetCancel(conn) : nullptr),
      previous_(g_cancel.exchange(cancel_)),
      previous_socket_(g_socket.exchange(conn ? PQsocket(conn) : -1)) {}

CancelOnSignal::~CancelOnSignal() noexcept {
  // Swapped out before it is freed: a handler running from here on sees the outer one or none.
  g_socket.store(previous_socket_);
  g_cancel.store(previous_);
  if (cancel_) PQfreeCancel(cancel_);
}

void cancel_statement(pg_conn* conn) noexcept {
  if (PGcancel* cancel = PQgetCancel(conn)) {
    char err[256];
    PQcancel(cancel, err, sizeof err);
    PQfreeCancel(cancel);
  }
}

SignalsKeptFromWorkers::SignalsKeptFromWorkers() noexcept {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGALRM, SIGPIPE}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, &old_);
}

SignalsKeptFromWorkers::~SignalsKeptFromWorkers() noexcept {
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

Canceller::Canceller(pg_conn* conn) noexcept
    : cancel_(conn ? PQgetCancel(conn) : nullptr), socket_(conn ? PQsocket(conn) : -1) {}

Canceller::~Canceller() noexcept {
  if (cancel_) PQfreeCancel(cancel_);
}

void Canceller::cancel() const noexcept {
  if (cancel_) {
    char err[256];
    PQcancel(cancel_, err, sizeof err);
  }
}

void Canceller::cut() const noexcept {
  if (socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);
}

bool interrupted() noexcept {
  return g_interrupted != 0;
}

void throw_if_interrupted() {
  if (interrupted()) throw InterruptedError();
}

void request_interrupt() noexcept {
  g_interrupted = 1;
}
void reset_interrupt() noexcept {
  g_interrupted = 0;
  g_signals = 0;
}

}  // namespace pgmonkey::db
