// Maps a record number (as COPY counts them) back to the file line it starts on.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace pgmonkey::csv {

// Only records that do not start on the line right after the previous record's start are
// stored (multi-line records, skipped blank lines), so a file of one-line records costs
// nothing. Past `max_entries` exceptions the map stops growing and later records map to nullopt.
class LineMap {
 public:
  explicit LineMap(std::size_t max_entries = 1 << 20) : max_entries_(max_entries) {}

  // Records are added in order; `record` is 1-based.
  void add(std::uint64_t record, std::uint64_t line);
  std::optional<std::uint64_t> line_of(std::uint64_t record) const;
  std::size_t entries() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> entries_;  // (record, line)
  std::size_t max_entries_;
  std::uint64_t last_record_ = 0;
  std::uint64_t last_line_ = 0;
  std::uint64_t full_after_ = 0;  // first record that could not be stored; 0 = never full
};

}  // namespace pgmonkey::csv
