// The sparse COPY-line-to-file-line map.
#include "csv/line_map.hpp"

#include <algorithm>

namespace pgmonkey::csv {

void LineMap::add(std::uint64_t copy_line, std::uint64_t line) {
  bool predicted = !entries_.empty() && line == last_line_ + (copy_line - last_key_);
  if (full_after_ == 0 && !predicted) {
    if (entries_.size() >= max_entries_) {
      full_after_ = copy_line;
    } else {
      entries_.emplace_back(copy_line, line);
      last_key_ = copy_line;
      last_line_ = line;
    }
  }
}

std::optional<std::uint64_t> LineMap::line_of(std::uint64_t copy_line) const {
  if (copy_line == 0 || entries_.empty()) return std::nullopt;
  if (full_after_ != 0 && copy_line >= full_after_) return std::nullopt;
  auto it = std::upper_bound(entries_.begin(), entries_.end(), copy_line,
                             [](std::uint64_t r, const auto& e) { return r < e.first; });
  if (it == entries_.begin()) return std::nullopt;
  --it;
  return it->second + (copy_line - it->first);
}

}  // namespace pgmonkey::csv
