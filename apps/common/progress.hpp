// The one progress line pgimport and pgexport draw on stderr: percent and bar when the size is
// known, bytes, rows, MB/s and ETA, redrawn in place and cleared before anything else is said.
#pragma once

#include <string>

#include "transfer/progress.hpp"

namespace pgmonkey::app {

// "1.2 kB", "52.1 MB": decimal units, as in both tools' summaries.
std::string human_bytes(double bytes);

// The text of one line for a terminal `width` columns wide (exposed for tests).
std::string render_progress(const transfer::Progress& p, int width);

class ProgressBar {
 public:
  // `mode`: auto (only when stderr is a terminal), always, never. Off a terminal, `always`
  // prints one line per update instead of redrawing.
  ProgressBar(std::string tool, const std::string& mode, bool quiet);
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Draws at most ten times a second, and always the final report.
  void update(const transfer::Progress& p);
  // Clears the line (also the ^C the terminal echoed onto it) so the next message starts clean.
  void finish();
  bool enabled() const { return enabled_; }

 private:
  std::string tool_;
  bool enabled_ = false;
  bool tty_ = false;
  bool drawn_ = false;
  double last_ = -1;
};

}  // namespace pgmonkey::app
