// What both jobs report while they run, through the same callbacks; the apps render it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pgmonkey::transfer {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Progress {
  std::uint64_t bytes = 0;                   // moved so far: read (import) or written (export)
  std::optional<std::uint64_t> total_bytes;  // the file's size, or the planner's estimate
  bool total_is_estimate = false;            // an estimate: never shown as done before the end
  std::uint64_t rows = 0;
  double seconds = 0;
  bool final = false;  // the last report, after the data ended
};

struct Callbacks {
  std::function<void(const Progress&)> on_progress;  // about every 100 ms or 256 KiB while data moves
  std::function<void(const std::string&)> on_warning;
};

}  // namespace pgmonkey::transfer
