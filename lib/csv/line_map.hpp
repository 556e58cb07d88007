// Maps the line number COPY reports back to the file line its record starts on.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace pgmonkey::csv {

// COPY names a failing record by the line it ends on in the data it was sent (it counts quoted
// line breaks but never sees the header or skipped blank lines). Two structures answer:
// - a sparse map from that line to the file line the record ends on, as runs along which the
//   file line advances a fixed number of lines per COPY line (1 normally, 2 in a double-spaced
//   file); a new run starts only where that changes (skipped lines, unusual embedded breaks),
//   so it stays tiny;
// - a ring of the most recent records' start lines, since the server fails while reading
//   data sent only a little earlier.
// Past `max_entries` the sparse map stops growing and later lines map to nullopt.
class LineMap {
 public:
  explicit LineMap(std::size_t max_entries = 1 << 18, std::size_t recent = 1 << 16)
      : max_entries_(max_entries), recent_capacity_(recent) {}
  // A map that only remembers the record ending on COPY line `target` (a second pass).
  static LineMap only(std::uint64_t target);

  // Records are added in order: the COPY line they end on, and their first and last file line.
  void add(std::uint64_t copy_line, std::uint64_t first_line, std::uint64_t last_line);

  struct Where {
    std::uint64_t line = 0;  // the file line
    bool start = false;      // true: where the record starts; false: where it ends
  };
  std::optional<Where> find(std::uint64_t copy_line) const;
  // The start line when known (the recent ring or a second pass), else nullopt.
  std::optional<std::uint64_t> line_of(std::uint64_t copy_line) const;
  std::size_t entries() const { return runs_.size(); }

 private:
  struct Run {
    std::uint64_t key;     // the COPY line of its first record
    std::uint64_t line;    // the file line that record ends on
    std::uint64_t stride;  // file lines per COPY line along the run
    bool single;           // one record so far: the next one sets the stride
  };
  std::vector<Run> runs_;
  std::size_t max_entries_;
  std::uint64_t full_after_ = 0;  // first key that could not be stored; 0 = never full
  // The ring holds, per record, how far its COPY line and start line are from the record before
  // it, a byte each (2 bytes a record, not 16: the ring is a big part of an import's heap); the
  // newest record is kept whole and older ones are found by walking back. A step that does not
  // fit in a byte (a record of 255 lines or more, skipped blank lines) is marked kBig in the ring
  // and kept whole in big_, one entry per mark, oldest first.
  struct Step {
    std::uint8_t copy;
    std::uint8_t line;
  };
  static constexpr Step kBig{0, 1};  // COPY lines only grow: a real step never has copy 0
  static bool is_big(Step s) { return s.copy == kBig.copy && s.line == kBig.line; }
  struct BigStep {
    std::uint64_t copy;
    std::uint64_t line;
  };
  std::deque<BigStep> big_;
  std::vector<Step> recent_;
  std::size_t recent_capacity_;
  std::size_t recent_next_ = 0;  // where the next record goes once the ring is full
  std::uint64_t newest_copy_ = 0;
  std::uint64_t newest_line_ = 0;
  void remember(std::uint64_t copy_line, std::uint64_t first_line);
  std::uint64_t target_ = 0;
};

}  // namespace pgmonkey::csv
