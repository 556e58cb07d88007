// Signal handlers that turn Ctrl-C/SIGTERM into a flag plus a server-side cancel request.
#include "db/cancel_on_signal.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <csignal>

#include "core/error.hpp"

namespace pgmonkey::db {
namespace {

std::atomic<PGcancel*> g_cancel{nullptr};
volatile std::sig_atomic_t g_interrupted = 0;
struct sigaction g_old_int, g_old_term, g_old_pipe;

extern "C" void on_signal(int) {
  g_interrupted = 1;
  if (PGcancel* c = g_cancel.load()) {
    char err[256];
    PQcancel(c, err, sizeof err);
  }
}

}  // namespace

CancelOnSignal::CancelOnSignal(pg_conn* conn) {
  g_interrupted = 0;
  g_cancel.store(PQgetCancel(conn));
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking write returns early rather than finishing
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &g_old_pipe);
}

CancelOnSignal::~CancelOnSignal() noexcept {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  sigaction(SIGPIPE, &g_old_pipe, nullptr);
  if (PGcancel* c = g_cancel.exchange(nullptr)) PQfreeCancel(c);
}

bool CancelOnSignal::interrupted() noexcept {
  return g_interrupted != 0;
}

void CancelOnSignal::throw_if_interrupted() {
  if (interrupted()) throw InterruptedError();
}

}  // namespace pgmonkey::db
