// Drawing the progress bar.
#include "pgimport/progress_bar.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace pgmonkey::app::pgimport {

std::string render_progress(const transfer::ImportProgress& p, int width) {
  double mb = static_cast<double>(p.bytes) / 1e6;
  double rate = p.seconds > 0 ? mb / p.seconds : 0;
  std::string tail = fmt::format(" {} rows  {:.1f} MB/s", p.rows, rate);
  if (!p.total_bytes || *p.total_bytes == 0) return fmt::format("{:.1f} MB{}", mb, tail);
  double frac = std::min(1.0, static_cast<double>(p.bytes) / static_cast<double>(*p.total_bytes));
  double eta =
      frac > 0 && rate > 0 ? (static_cast<double>(*p.total_bytes - std::min(p.bytes, *p.total_bytes)) / 1e6) / rate : 0;
  tail += fmt::format("  ETA {}:{:02d}", static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
  std::string pct = fmt::format("{:3.0f}% ", frac * 100);
  int bar = width - static_cast<int>(pct.size() + tail.size()) - 2;
  if (bar < 10) return pct + tail.substr(1);
  int filled = static_cast<int>(frac * bar);
  return pct + "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(bar - filled), '.') + "]" + tail;
}

ProgressBar::ProgressBar(const std::string& mode, bool quiet) {
  tty_ = ::isatty(STDERR_FILENO) == 1;
  enabled_ = !quiet && (mode == "always" || (mode == "auto" && tty_));
}

void ProgressBar::update(const transfer::ImportProgress& p) {
  if (!enabled_) return;
  int width = 80;
  winsize ws{};
  if (tty_ && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) width = ws.ws_col;
  std::string line = render_progress(p, width - 1);
  if (tty_)
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (enabled_ && drawn_ && tty_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace pgmonkey::app::pgimport
