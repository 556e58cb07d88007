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
  bool predicted = !entries_.empty() && last_line == last_line_ + (copy_line - last_key_);
  if (full_after_ != 0 || predicted) return;
  if (entries_.size() >= max_entries_) {
    full_after_ = copy_line;
    return;
  }
  entries_.emplace_back(copy_line, last_line);
  last_key_ = copy_line;
  last_line_ = last_line;
}

std::optional<LineMap::Where> LineMap::find(std::uint64_t copy_line) const {
  if (copy_line == 0) return std::nullopt;
  for (const auto& [key, start] : recent_)
    if (key == copy_line) return Where{start, true};
  if (entries_.empty() || (full_after_ != 0 && copy_line >= full_after_)) return std::nullopt;
  auto it = std::upper_bound(entries_.begin(), entries_.end(), copy_line,
                             [](std::uint64_t k, const auto& e) { return k < e.first; });
  if (it == entries_.begin()) return std::nullopt;
  --it;
  return Where{it->second + (copy_line - it->first), false};
}

std::optional<std::uint64_t> LineMap::line_of(std::uint64_t copy_line) const {
  auto w = find(copy_line);
  if (w && w->start) return w->line;
  return std::nullopt;
}

}  // namespace pgmonkey::csv
