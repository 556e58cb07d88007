// The interrupt flag and the handler that sets it.
#include "core/interrupt_flag.hpp"

#include <atomic>
#include <csignal>

namespace pgmonkey::core {
namespace {

volatile std::sig_atomic_t g_flag = 0;
std::atomic<InterruptHook> g_hook{nullptr};
std::atomic<void*> g_hook_data{nullptr};

extern "C" void on_signal(int) {
  g_flag = 1;
  InterruptHook hook = g_hook.load();
  if (hook) hook(g_hook_data.load());
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a read blocked on a pipe must come back and see the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interrupt_requested() noexcept { return g_flag != 0; }
void reset_interrupt() noexcept { g_flag = 0; }
void request_interrupt() noexcept { g_flag = 1; }

InterruptHookGuard::InterruptHookGuard(InterruptHook hook, void* data) noexcept
    : previous_hook_(g_hook.load()), previous_data_(g_hook_data.load()) {
  g_hook.store(nullptr);  // never let the handler see a hook paired with the wrong data
  g_hook_data.store(data);
  g_hook.store(hook);
}

InterruptHookGuard::~InterruptHookGuard() noexcept {
  g_hook.store(nullptr);
  g_hook_data.store(previous_data_);
  g_hook.store(previous_hook_);
}

}  // namespace pgmonkey::core
