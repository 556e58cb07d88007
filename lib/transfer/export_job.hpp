// The export job: one table (or view) to a CSV file or stdout, in one consistent snapshot.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "transfer/export_plan.hpp"
#include "transfer/parallel_export.hpp"
#include "transfer/progress.hpp"
#include "transfer/stages.hpp"

namespace pqxx {
class transaction_base;
}

namespace pgmonkey::db {
class Connection;
}

namespace pgmonkey::transfer {

struct ExportResult {
  std::string table;  // schema.table as found
  std::string output;
  std::string encoding;  // what the file is in, e.g. UTF8, LATIN1, UTF-16LE
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;              // of CSV text
  std::uint64_t compressed_bytes = 0;   // written to the file when compressed
  std::string compression;              // "gzip", "zstd", "bzip2", "xz"; empty: none
  int jobs = 1;                         // sessions that read the data
  std::string method = "single";        // or "block-ranges" (--jobs)
  std::string jobs_note;                // why one session, or how the table was split (for -v)
  bool dry_run = false;                 // nothing was written; `statements` is the plan
  std::vector<std::string> statements;  // dry run: what each session would run, in order
  double seconds = 0;
  core::Json to_json() const;
};

// pgmonkey's default file name: the table name (without schema) plus .csv, in the current folder.
std::string default_output_for(const std::string& table);

// The catalog facts plan_export needs, read in `tx`.
ExportFacts read_export_facts(pqxx::transaction_base& tx, const ExportRequest& request);

// The export chain, CopySource → Encoder → ByteSink, in writes of about 256 KiB. `between`
// runs after each chunk (interrupts); `on_flush` after each write with the rows so far.
// Returns the rows.
std::uint64_t run_export_chain(CopySource& source, Encoder& encoder, ByteSink& sink, bool header,
                               const std::function<void()>& between,
                               const std::function<void(std::uint64_t rows, bool final)>& on_flush);

// Runs the export in a REPEATABLE READ READ ONLY transaction on `conn` (opened by the app). The
// file appears only if all went well; any failure, including SIGINT/SIGTERM (turned into
// InterruptedError), leaves the target as it was and no temp file behind. Throws the toolkit's
// typed errors. With request.jobs > 1 a table big enough is read by that many sessions, the
// others opened with `open_session` (without it, one session).
ExportResult run_export(db::Connection& conn, const ExportRequest& request, const Callbacks& callbacks = {},
                        const SessionOpener& open_session = {});

}  // namespace pgmonkey::transfer
