// The COPY-line-to-file-line map.
#include "csv/line_map.hpp"

#include <algorithm>
#include <cstdint>

namespace pgmonkey::csv {

LineMap LineMap::only(std::uint64_t target) {
  LineMap m(1, 1);
  m.target_ = target;
  return m;
}

void LineMap::add(std::uint64_t copy_line, std::uint64_t first_line, std::uint64_t last_line) {
  if (target_ != 0) {
    if (copy_line == target_) remember(copy_line, first_line);
    return;
  }
  remember(copy_line, first_line);
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

void LineMap::remember(std::uint64_t copy_line, std::uint64_t first_line) {
  if (recent_capacity_ == 0) return;
  constexpr std::uint64_t kMax = UINT8_MAX;
  Step step{0, 0};  // the first record's step is never walked
  if (!recent_.empty()) {
    if (copy_line <= newest_copy_ || first_line < newest_line_) {
      recent_.clear();  // out of order: start again from this record
      big_.clear();
      recent_next_ = 0;
    } else if (copy_line - newest_copy_ > kMax || first_line - newest_line_ > kMax) {
      step = kBig;
      big_.push_back({copy_line - newest_copy_, first_line - newest_line_});
    } else {
      step = {static_cast<std::uint8_t>(copy_line - newest_copy_),
              static_cast<std::uint8_t>(first_line - newest_line_)};
    }
  }
  if (recent_.size() < recent_capacity_) {
    // Grown once to its size, not by doubling (which would hold the old and the new at once).
    if (recent_.size() == 1024 && recent_.capacity() < recent_capacity_) recent_.reserve(recent_capacity_);
    recent_.push_back(step);
  } else {
    if (is_big(recent_[recent_next_])) big_.pop_front();  // the oldest record's step leaves
    recent_[recent_next_] = step;
    recent_next_ = (recent_next_ + 1) % recent_capacity_;
  }
  newest_copy_ = copy_line;
  newest_line_ = first_line;
}

std::optional<LineMap::Where> LineMap::find(std::uint64_t copy_line) const {
  if (copy_line == 0) return std::nullopt;
  if (!recent_.empty() && copy_line <= newest_copy_) {
    const std::size_t size = recent_.size();
    std::size_t at = (recent_next_ + size - 1) % size;  // the newest record
    std::size_t big = big_.size();                      // big_[big - 1] belongs to the newest kBig mark
    std::uint64_t key = newest_copy_, start = newest_line_;
    for (std::size_t walked = 0; walked < size && key >= copy_line; ++walked) {
      if (key == copy_line) return Where{start, true};
      const Step step = recent_[at];
      if (is_big(step)) {
        --big;
        key -= big_[big].copy;
        start -= big_[big].line;
      } else {
        key -= step.copy;
        start -= step.line;
      }
      at = (at + size - 1) % size;
    }
  }
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
