// pgexport's plan: request + catalog facts → what to copy and how, decided without a server.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "compress/compression.hpp"
#include "csv/dialect.hpp"
#include "transfer/copy_statement.hpp"
#include "transfer/export_encoding.hpp"
#include "transfer/relation.hpp"

namespace pgmonkey::transfer {

struct ExportRequest {
  std::string table;                     // [schema.]table; "double quotes" keep case and dots (table_name.hpp)
  std::string output;                    // file path, or "-" for standard output
  bool force = false;                    // replace an existing file
  std::vector<std::string> columns;      // empty: all columns in table order
  csv::Dialect dialect;                  // flags over the sidecar (transfer/dialect_flags.hpp); CRLF for --crlf
  std::vector<std::string> force_quote;  // column names, or {"*"}
  compress::Format compression = compress::Format::none;
  int compression_level = 0;       // within compress::levels(compression)
  int jobs = 1;                    // sessions (--jobs); tables big enough are read in block ranges
  bool dry_run = false;            // plan only: read the catalog, write nothing
  std::uint64_t range_blocks = 0;  // blocks per range; 0: the default (export_ranges.hpp)
};

// What the catalog says, read inside the export's snapshot.
struct ExportFacts {
  Relation relation;
  std::string server_encoding;  // PostgreSQL's canonical name for the encoding asked; empty: unknown
  double reltuples = 0;         // planner statistics, for the size estimate
  double table_bytes = 0;
  std::uint64_t relation_blocks = 0;  // main fork, for --jobs
  std::uint64_t block_size = 8192;
  int server_version = 0;                                 // server_version_num
  std::vector<std::pair<std::string, double>> avg_width;  // pg_stats, per column
};

struct ExportPlan {
  CopyRelation source;
  CopyFormat format;
  csv::Dialect dialect;
  EncodingPlan encoding;
  std::string encoding_shown;         // what the file is in, for the summary
  std::uint64_t estimated_bytes = 0;  // 0: unknown
  std::string copy_sql;
  // --jobs: one COPY per block range, in block order; empty for one session.
  int jobs = 1;
  std::vector<std::string> range_sql;
  std::string jobs_note;  // why one session, or how the table was split

  // "single" or "block-ranges", for the summary and JSON.
  std::string method() const { return range_sql.empty() ? "single" : "block-ranges"; }
};

// The encoding the request names ("utf-8" unless set) as planned: what to ask the server for.
EncodingPlan requested_encoding(const ExportRequest& request);

// Pure: throws UsageError for impossible options (or columns the relation lacks) and JobError
// for a missing relation, with a did-you-mean.
ExportPlan plan_export(const ExportRequest& request, const ExportFacts& facts);

}  // namespace pgmonkey::transfer
