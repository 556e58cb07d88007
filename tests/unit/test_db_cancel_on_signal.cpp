// The one signal module: SIGINT/SIGTERM become a flag, handlers come back, SIGPIPE only on request.
#include <doctest/doctest.h>

#include <csignal>

#include "core/error.hpp"
#include "db/cancel_on_signal.hpp"

using namespace pgmonkey;

namespace {

void* handler_of(int sig) {
  struct sigaction now {};
  sigaction(sig, nullptr, &now);
  return reinterpret_cast<void*>(now.sa_handler);
}

}  // namespace

TEST_CASE("a signal inside the scope sets the flag instead of ending the process") {
  void* before_int = handler_of(SIGINT);
  void* before_term = handler_of(SIGTERM);
  {
    db::SignalScope signals;
    CHECK_FALSE(db::interrupted());
    CHECK_NOTHROW(db::throw_if_interrupted());
    std::raise(SIGINT);
    CHECK(db::interrupted());
    CHECK_THROWS_AS(db::throw_if_interrupted(), InterruptedError);
  }
  CHECK(handler_of(SIGINT) == before_int);
  CHECK(handler_of(SIGTERM) == before_term);
  {
    db::SignalScope signals;  // the outermost scope starts with a clear flag
    CHECK_FALSE(db::interrupted());
    std::raise(SIGTERM);
    CHECK(db::interrupted());
  }
  db::reset_interrupt();
}

TEST_CASE("scopes nest: the inner one keeps the flag and leaves the outer handlers in place") {
  db::SignalScope outer;
  db::request_interrupt();
  {
    db::CancelOnSignal inner(nullptr);  // no connection: only the flag
    CHECK(db::interrupted());
  }
  db::reset_interrupt();
  std::raise(SIGINT);
  CHECK(db::interrupted());
  db::reset_interrupt();
}

TEST_CASE("SIGPIPE is ignored only when asked, and restored afterwards") {
  auto inherited = std::signal(SIGPIPE, SIG_DFL);  // whatever the test runner was started with
  void* before = handler_of(SIGPIPE);
  {
    db::SignalScope signals;
    CHECK(handler_of(SIGPIPE) == before);
  }
  {
    db::CancelOnSignal guard(nullptr, db::SigPipe::ignore);
    CHECK(handler_of(SIGPIPE) == reinterpret_cast<void*>(SIG_IGN));
    std::raise(SIGPIPE);
    CHECK_FALSE(db::interrupted());
  }
  CHECK(handler_of(SIGPIPE) == before);
  std::signal(SIGPIPE, inherited);
}

TEST_CASE("SIGHUP is caught like SIGTERM, but an ignored signal stays ignored (nohup)") {
  {
    db::SignalScope signals;
    std::raise(SIGHUP);
    CHECK(db::interrupted());
  }
  db::reset_interrupt();
  struct sigaction ignore {
  }, before{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGHUP, &ignore, &before);
  {
    db::SignalScope signals;
    CHECK(handler_of(SIGHUP) == reinterpret_cast<void*>(SIG_IGN));
    std::raise(SIGHUP);  // ignored: the process goes on and nothing is interrupted
    CHECK_FALSE(db::interrupted());
  }
  CHECK(handler_of(SIGHUP) == reinterpret_cast<void*>(SIG_IGN));
  sigaction(SIGHUP, &before, nullptr);
}
