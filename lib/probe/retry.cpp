// Exponential backoff for --wait.
#include "probe/retry.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "db/connect_failure.hpp"

namespace pgmonkey::probe {

double backoff_delay(int attempt) {
  double d = 0.5;
  for (int i = 1; i < attempt && d < 8.0; ++i) d *= 2;
  return std::min(d, 8.0);
}

void with_retries(double wait_seconds, const std::function<void()>& attempt,
                  const std::function<void(int, const std::string&, double)>& on_retry) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration<double>(wait_seconds);
  for (int n = 1;; ++n) {
    try {
      attempt();
      return;
    } catch (const ConnectError& e) {
      if (!db::is_transient(e.kind())) throw;
      double left = std::chrono::duration<double>(deadline - clock::now()).count();
      if (left <= 0) throw;
      double delay = std::min(backoff_delay(n), left);
      if (on_retry) on_retry(n, e.what(), delay);
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    }
  }
}

}  // namespace pgmonkey::probe
