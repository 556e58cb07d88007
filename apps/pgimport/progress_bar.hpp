// The progress bar pgimport draws on stderr: percent, rows, MB/s and ETA, redrawn in place.
#pragma once

#include <string>

#include "transfer/import_job.hpp"

namespace pgmonkey::app::pgimport {

class ProgressBar {
 public:
  // mode: auto (only when stderr is a TTY), always, never.
  ProgressBar(const std::string& mode, bool quiet);
  void update(const transfer::ImportProgress& p);
  // Clears the bar so the next line starts clean.
  void finish();
  bool enabled() const { return enabled_; }

 private:
  bool enabled_ = false;
  bool tty_ = false;
  bool drawn_ = false;
};

// The text of one bar, for a given width (exposed for tests).
std::string render_progress(const transfer::ImportProgress& p, int width);

}  // namespace pgmonkey::app::pgimport
