// The sparse record-to-line map.
#include "csv/line_map.hpp"

#include <algorithm>

namespace pgmonkey::csv {

void LineMap::add(std::uint64_t record, std::uint64_t line) {
  bool predicted = !entries_.empty() && line == last_line_ + (record - last_record_);
  if (full_after_ == 0 && !predicted) {
    if (entries_.size() >= max_entries_) {
      full_after_ = record;
    } else {
      entries_.emplace_back(record, line);
      last_record_ = record;
      last_line_ = line;
    }
  }
}

std::optional<std::uint64_t> LineMap::line_of(std::uint64_t record) const {
  if (record == 0 || entries_.empty()) return std::nullopt;
  if (full_after_ != 0 && record >= full_after_) return std::nullopt;
  auto it = std::upper_bound(entries_.begin(), entries_.end(), record,
                             [](std::uint64_t r, const auto& e) { return r < e.first; });
  if (it == entries_.begin()) return std::nullopt;
  --it;
  return it->second + (record - it->first);
}

}  // namespace pgmonkey::csv
