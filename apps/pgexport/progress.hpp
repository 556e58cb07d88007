// pgexport's progress line on a TTY and its closing summary.
#pragma once

#include <string>

#include "transfer/export_job.hpp"

namespace pgmonkey::app::pgexport {

// A progress callback that redraws one stderr line at most five times a second, only when
// stderr is a terminal and `enabled`; silent otherwise.
transfer::ProgressFn progress_line(bool enabled);
// Clears the progress line if one was drawn.
void clear_progress_line();

// "exported 1,000 rows (52.1 kB) from public.t to t.csv in 0.12 s, UTF8"
std::string summary(const transfer::ExportResult& r);

}  // namespace pgmonkey::app::pgexport
