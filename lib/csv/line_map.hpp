// Maps the line number COPY reports (lines of the data it was sent) back to the file line.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace pgmonkey::csv {

// Keys are COPY's line numbers (each record's last line in the data sent), values the file
// line the record starts on. Only pairs that do not follow from the previous one by +1/+1 are
// stored (multi-line records, skipped blank lines, the header), so a file of one-line records
// costs nothing. Past `max_entries` the map stops growing and later lines map to nullopt.
class LineMap {
 public:
  explicit LineMap(std::size_t max_entries = 1 << 20) : max_entries_(max_entries) {}

  // Added in increasing key order; both 1-based.
  void add(std::uint64_t copy_line, std::uint64_t file_line);
  std::optional<std::uint64_t> line_of(std::uint64_t copy_line) const;
  std::size_t entries() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> entries_;  // (record, line)
  std::size_t max_entries_;
  std::uint64_t last_key_ = 0;
  std::uint64_t last_line_ = 0;
  std::uint64_t full_after_ = 0;  // first key that could not be stored; 0 = never full
};

}  // namespace pgmonkey::csv
