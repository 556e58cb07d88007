// Progress from bytes written against the planner's size estimate; a summary at the end.
#include "pgexport/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace pgmonkey::app::pgexport {
namespace {

bool g_drawn = false;

std::string human_bytes(double b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", b, units[u]) : fmt::format("{:.1f} {}", b, units[u]);
}

}  // namespace

transfer::ProgressFn progress_line(bool enabled) {
  if (!enabled || ::isatty(STDERR_FILENO) != 1) return {};
  auto last = std::make_shared<double>(-1.0);
  return [last](const transfer::ExportProgress& p) {
    if (p.seconds - *last < 0.2) return;
    *last = p.seconds;
    std::string line;
    if (p.estimated_bytes > 0) {
      // The estimate comes from statistics; never claim to be done before the end.
      double pct = std::min(99.0, 100.0 * static_cast<double>(p.bytes) / static_cast<double>(p.estimated_bytes));
      line = fmt::format("{:3.0f}%  {} of ~{}", pct, human_bytes(static_cast<double>(p.bytes)),
                         human_bytes(static_cast<double>(p.estimated_bytes)));
    } else {
      line = human_bytes(static_cast<double>(p.bytes));
    }
    line = fmt::format("\r\033[Kpgexport: {}, {} rows, {:.1f} s", line, p.rows, p.seconds);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
    g_drawn = true;
  };
}

void clear_progress_line() {
  if (!g_drawn) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  g_drawn = false;
}

std::string summary(const transfer::ExportResult& r) {
  return fmt::format("exported {} row{} ({}) from {} to {} in {:.2f} s, {}", r.rows, r.rows == 1 ? "" : "s",
                     human_bytes(static_cast<double>(r.bytes)), r.table,
                     r.output == "-" ? std::string("standard output") : r.output, r.seconds, r.encoding);
}

}  // namespace pgmonkey::app::pgexport
