// --wait: retry a connection attempt with exponential backoff while the failure is transient.
#pragma once

#include <functional>
#include <string>

namespace pgmonkey::probe {

// Delay before retry number `attempt` (1-based): 0.5 s, doubling, capped at 8 s.
double backoff_delay(int attempt);

// Calls `attempt` until it returns without a transient ConnectError or `wait_seconds` is used
// up; then the last error propagates. `on_retry` hears about each retry.
void with_retries(double wait_seconds, const std::function<void()>& attempt,
                  const std::function<void(int, const std::string&, double)>& on_retry);

}  // namespace pgmonkey::probe
