// Ctrl-C / SIGTERM as a flag the long-running loops poll, plus one async-signal-safe hook
// (a server-side cancel) that runs inside the handler while a statement blocks.
#pragma once

namespace pgmonkey::core {

// Installs SIGINT and SIGTERM handlers (without SA_RESTART, so a blocked read returns EINTR).
void install_interrupt_handlers();
bool interrupt_requested() noexcept;
// For tests and for re-use of the flag within one process.
void reset_interrupt() noexcept;
// Marks the flag as a signal would (tests).
void request_interrupt() noexcept;

// A hook the handler calls after setting the flag; it must be async-signal-safe (PQcancel is).
using InterruptHook = void (*)(void* data);

// Registers `hook` for the lifetime of the guard; guards nest (the innermost wins, the outer
// one comes back when it ends).
class InterruptHookGuard {
 public:
  InterruptHookGuard(InterruptHook hook, void* data) noexcept;
  ~InterruptHookGuard() noexcept;
  InterruptHookGuard(const InterruptHookGuard&) = delete;
  InterruptHookGuard& operator=(const InterruptHookGuard&) = delete;

 private:
  InterruptHook previous_hook_;
  void* previous_data_;
};

}  // namespace pgmonkey::core
