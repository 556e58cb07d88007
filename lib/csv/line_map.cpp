// The COPY-line-to-file-line map.
#include "csv/line_map.hpp"

#include <algorithm>

namespace pgmonkey::csv {

LineMap LineMap::only(std::uint64_t target) {
  LineMap m(1, 1);
  m.target_ = target;
  return m;
}

void LineMap::add(std::uint64_t copy_line, std::uint64_t first_line, std::uint64_t last_line) {
  if (target_ != 0) {
    if (copy_line == target_) recent_.assign(1, {copy_line, first_line});
    return;
  }
  if (recent_.size() < recent_capacity_) {
    recent_.emplace_back(copy_line, first_line);
  } else {
    recent_[recent_next_] = {copy_line, first_line};
    recent_next_ = (recent_next_ + 1) % recent_capacity_;
  }
  if (full_after_ != 0) return;
  if (!runs_.empty()) {
    Run& run = runs_.back();
    if (copy_line > run.key && last_line >= run.line) {
      const std::uint64_t copy_delta = copy_line - run.key, file_delta = last_line - run.line;
      if (run.single && file_delta % copy_delta == 0 && file_delta >= copy_delta) {
        run.stride = file_delta / copy_delta;
        run.single = false;
        return;
      }
      if (!run.single && file_delta == run.stride * copy_delta) return;  // on the run
    }
  }
  if (runs_.size() >= max_entries_) {
    full_after_ = copy_line;
    return;
  }
  runs_.push_back({copy_line, last_line, 1, true});
}

std::optional<LineMap::Where> LineMap::find(std::uint64_t copy_line) const {
  if (copy_line == 0) return std::nullopt;
  for (const auto& [key, start] : recent_)
    if (key == copy_line) return Where{start, true};
  if (runs_.empty() || (full_after_ != 0 && copy_line >= full_after_)) return std::nullopt;
  auto it =
      std::upper_bound(runs_.begin(), runs_.end(), copy_line, [](std::uint64_t k, const Run& r) { return k < r.key; });
  if (it == runs_.begin()) return std::nullopt;
  --it;
  return Where{it->line + it->stride * (copy_line - it->key), false};
}

std::optional<std::uint64_t> LineMap::line_of(std::uint64_t copy_line) const {
  auto w = find(copy_line);
  if (w && w->start) return w->line;
  return std::nullopt;
}

}  // namespace pgmonkey::csv
