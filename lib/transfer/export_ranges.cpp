// Splitting a table's blocks into ranges and choosing the sessions for pgexport --jobs.
#include "transfer/export_ranges.hpp"

#include <algorithm>
#include <cstdio>

#include "db/quote.hpp"

namespace pgmonkey::transfer {
namespace {

std::string tid(std::uint64_t block) {
  return "'(" + std::to_string(block) + ",0)'";
}

std::string megabytes(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1u << 20));
  return buf;
}

}  // namespace

std::vector<BlockRange> split_blocks(std::uint64_t blocks, std::uint64_t range_blocks) {
  range_blocks = std::max<std::uint64_t>(range_blocks, 1);
  std::vector<BlockRange> out;
  std::uint64_t first = 0;
  while (blocks - first > range_blocks) {
    out.push_back({first, first + range_blocks});
    first += range_blocks;
  }
  out.push_back({first, std::nullopt});
  return out;
}

std::string range_copy_sql(const CopyRelation& source, const std::vector<std::string>& columns, const CopyFormat& f,
                           const BlockRange& range) {
  std::string where;
  if (range.first > 0) where = "ctid >= " + tid(range.first);
  if (range.end) where += (where.empty() ? "" : " AND ") + std::string("ctid < ") + tid(*range.end);
  std::string select = "SELECT " + db::quote_ident_list(columns) + " FROM ONLY " +
                       db::quote_qualified(source.schema, source.table);  // as COPY t: no children
  if (!where.empty()) select += " WHERE " + where;
  return "COPY (" + select + ") TO STDOUT WITH (" + copy_options(f, CopyDirection::to_stdout) + ")";
}

SessionChoice choose_sessions(const SessionFacts& f, const std::string& relation) {
  SessionChoice c;
  if (f.jobs <= 1) return c;
  auto single = [&](const std::string& why) {
    c.note = "one session: " + why;
    return c;
  };
  // Only a heap has blocks to split; the rest is read through its own query.
  if (f.relkind == 'v') return single(relation + " is a view");
  if (f.relkind == 'p') return single(relation + " is a partitioned table");
  if (f.relkind == 'f') return single(relation + " is a foreign table");
  // A materialized view has blocks, but LOCK TABLE refuses it, and the sessions need the lock
  // taken ahead (parallel_export.hpp).
  if (f.relkind == 'm') return single(relation + " is a materialized view");
  if (f.relkind != 'r') return single(relation + " has no blocks to split");
  if (f.server_version > 0 && f.server_version < 140000)
    return single("the server has no TID range scans before PostgreSQL 14");
  const std::uint64_t block_size = std::max<std::uint64_t>(f.block_size, 1);
  const std::uint64_t range_blocks =
      f.range_blocks > 0 ? f.range_blocks : std::max<std::uint64_t>(kRangeBytes / block_size, 1);
  const std::uint64_t min_blocks = f.range_blocks > 0 ? 2 * range_blocks : kMinSplitBytes / block_size;
  if (f.blocks < min_blocks || f.blocks <= range_blocks)
    return single(relation + " is too small to split (" + megabytes(f.blocks * block_size) + ", under " +
                  megabytes(min_blocks * block_size) + ")");
  c.ranges = split_blocks(f.blocks, range_blocks);
  c.jobs = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(f.jobs), c.ranges.size()));
  c.note = std::to_string(c.jobs) + " sessions in one snapshot, " + std::to_string(c.ranges.size()) +
           " block ranges of " + std::to_string(range_blocks) + " blocks";
  return c;
}

}  // namespace pgmonkey::transfer
