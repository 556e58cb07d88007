// pgexport --jobs: a table's blocks cut into ranges, the COPY each range runs, and the choice of
// how many sessions an export gets. Pure, so the choice is tested without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transfer/copy_statement.hpp"

namespace pgmonkey::transfer {

// Blocks [first, end) of the table; no end: to the end of the table, so the last range also
// holds whatever the block count read in the snapshot did not cover.
struct BlockRange {
  std::uint64_t first = 0;
  std::optional<std::uint64_t> end;
};

// Heap bytes per range: small enough that a range's CSV fits the few MB a session may buffer
// ahead of the writer, big enough that starting its COPY costs little.
constexpr std::uint64_t kRangeBytes = 2u << 20;
// Smaller tables go in one session: opening sessions would cost more than it saves.
constexpr std::uint64_t kMinSplitBytes = 8u << 20;

// Consecutive ranges of `range_blocks` blocks covering `blocks` blocks; the first starts at 0,
// the last is open-ended. One open range for an empty table.
std::vector<BlockRange> split_blocks(std::uint64_t blocks, std::uint64_t range_blocks);

// COPY (SELECT cols FROM t WHERE ctid >= '(a,0)' AND ctid < '(b,0)') TO STDOUT WITH (...):
// a TID range scan (PostgreSQL 14+) returns the range's rows in the order a sequential scan
// does. `columns` is the full list (COPY t without a list leaves generated columns out, a
// SELECT * would not).
std::string range_copy_sql(const CopyRelation& source, const std::vector<std::string>& columns, const CopyFormat& f,
                           const BlockRange& range);

// What the session choice looks at.
struct SessionFacts {
  int jobs = 1;              // asked for (--jobs)
  char relkind = 'r';        // r table, m materialized view, v view, f foreign, p partitioned
  std::uint64_t blocks = 0;  // pg_relation_size / block_size, read in the snapshot
  std::uint64_t block_size = 8192;
  int server_version = 0;          // server_version_num; 0: unknown
  std::uint64_t range_blocks = 0;  // override of the range size (tests); 0: kRangeBytes
};

struct SessionChoice {
  int jobs = 1;                    // sessions to use
  std::vector<BlockRange> ranges;  // empty for one session
  std::string note;                // why one session, or how it was split; empty when --jobs 1
};

SessionChoice choose_sessions(const SessionFacts& facts, const std::string& relation);

}  // namespace pgmonkey::transfer
