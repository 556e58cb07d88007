// Drawing the shared progress line.
#include "common/progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace pgmonkey::app {

std::string human_bytes(double b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", b, units[u]) : fmt::format("{:.1f} {}", b, units[u]);
}

std::string render_progress(const transfer::Progress& p, int width) {
  double bytes = static_cast<double>(p.bytes);
  double rate = p.seconds > 0 ? bytes / p.seconds : 0;
  std::string tail = fmt::format("  {} rows  {}/s", p.rows, human_bytes(rate));
  if (!p.total_bytes || *p.total_bytes == 0) return human_bytes(bytes) + tail;
  double total = static_cast<double>(*p.total_bytes);
  double frac = std::min(p.total_is_estimate ? 0.99 : 1.0, bytes / total);
  double eta = rate > 0 ? std::max(0.0, total - bytes) / rate : 0;
  tail = fmt::format(" {} of {}{}{}  ETA {}:{:02d}", human_bytes(bytes), p.total_is_estimate ? "~" : "",
                     human_bytes(total), tail, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
  std::string pct = fmt::format("{:3.0f}% ", frac * 100);
  int bar = width - static_cast<int>(pct.size() + tail.size()) - 2;
  if (bar < 10) return pct + tail.substr(1);
  int filled = static_cast<int>(frac * bar);
  return pct + "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(bar - filled), '.') + "]" + tail;
}

ProgressBar::ProgressBar(std::string tool, const std::string& mode, bool quiet) : tool_(std::move(tool)) {
  tty_ = ::isatty(STDERR_FILENO) == 1;
  enabled_ = !quiet && (mode == "always" || (mode == "auto" && tty_));
}

void ProgressBar::update(const transfer::Progress& p) {
  if (!enabled_ || (!p.final && last_ >= 0 && p.seconds - last_ < 0.1)) return;
  last_ = p.seconds;
  int width = 80;
  winsize ws{};
  if (tty_ && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) width = ws.ws_col;
  std::string prefix = tool_ + ": ";
  std::string line = prefix + render_progress(p, width - 1 - static_cast<int>(prefix.size()));
  if (tty_)
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (enabled_ && drawn_ && tty_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
  drawn_ = false;
}

}  // namespace pgmonkey::app
