// pgimport's job: read and sniff the file, then plan and load it into a table in one transaction.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/json.hpp"
#include "transfer/import_plan.hpp"
#include "transfer/load_marks.hpp"
#include "transfer/parallel_load.hpp"
#include "transfer/progress.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::db {
class Connection;
}
namespace pgmonkey::csv {
class RecordScanner;
}

namespace pgmonkey::transfer {

class TextReader;
struct ImportChain;
class DecompressingSource;

struct ImportResult {
  ImportPlan plan;
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;             // of text (decompressed)
  std::uint64_t compressed_bytes = 0;  // read from a compressed file; 0 for plain input
  std::string compression;             // "gzip", "zstd", "bzip2", "xz"; empty for plain input
  double seconds = 0;
  bool dry_run = false;
  std::string wrote_config;  // path written by --write-import-config
  bool rejecting = false;    // --max-errors was given
  std::uint64_t rejected = 0;
  std::string reject_file;  // written only when there were rejects (not on a dry run)
  std::string reject_log;

  core::Json to_json() const;
  // "imported 1000 rows (1.2 MB) from data.csv into public.t in 0.40 s (2500 rows/s)";
  // compressed: "(72.0 MB from 24.3 MB gzip)"
  std::string summary() const;
};

struct ImportCallbacks : Callbacks {
  std::function<void(const ImportPlan&)> on_plan;  // before the data is sent
};

// Whether the job needs a server (not for --write-import-config).
bool needs_connection(const ImportOptions& options);

// Throws UsageError/ConfigError (2), JobError (1, data errors name file and line),
// InterruptedError (130). On any error nothing is left changed.
class ImportJob {
 public:
  // 1. the sidecar → 2. the encoding → 3. the dialect, from the start of the file; no server.
  // `connection_config` (the -c file) is never taken for the sidecar.
  ImportJob(ImportOptions options, const std::string& connection_config, ImportCallbacks callbacks);
  ~ImportJob();
  ImportJob(const ImportJob&) = delete;
  ImportJob& operator=(const ImportJob&) = delete;

  // --write-import-config: the detected settings into the sidecar, for review.
  ImportResult write_config();
  // 4. the table and the plan → 5. the rows through the chain into COPY → 6. commit, in one
  // transaction on `conn` (opened by the app, as pgexport's is). With --jobs N, `open_session`
  // opens the N loading sessions and `conn` coordinates them (parallel_import.cpp).
  ImportResult run(db::Connection& conn, const SessionOpener& open_session = {});

  // For several files in one transaction (import_files_job): what the file looks like, and its
  // rows sent by `plan` inside the caller's open transaction (no DDL, no commit).
  const FileFacts& facts() const { return facts_; }
  const ImportOptions& options() const { return options_; }
  ImportResult send(db::Connection& conn, ImportPlan plan);

 private:
  void sniff_sample(csv::SniffOptions& sniff);
  ImportResult load(db::Connection& conn, const SessionOpener& open_session);
  ImportResult load_parallel(db::Connection& conn, const SessionOpener& open_session, ImportPlan plan,
                             const Relation& target);

 public:
  // --jobs with several files: this file's rows cut into chunks for `load`'s sessions (no commit).
  ImportResult feed(ParallelLoad& load, ImportPlan plan);
  const LoadRun& load_run() const { return run_; }

 private:
  ImportResult stream(db::Connection& conn, ImportPlan plan);
  void warn_blank_lines(const csv::RecordScanner& scanner, const ImportPlan& plan) const;
  // The chain from the decoder through `scanner` into `sink`, and its progress report.
  ImportChain chain(csv::RecordScanner& scanner, CopySink& sink, const ImportPlan& plan);
  void report_progress(const csv::RecordScanner& scanner, bool final) const;
  // The sizes, the time and the plan into the result, at the end of either load path.
  ImportResult finish(ImportResult result, ImportPlan plan) const;

  ImportOptions options_;
  ImportCallbacks callbacks_;
  std::chrono::steady_clock::time_point started_;
  std::string sidecar_path_;  // where the sidecar is, or would be written
  FileFacts facts_;
  std::unique_ptr<DecompressingSource> input_;  // the file, decompressed when it is compressed
  ByteSourceOpener reopen_;                     // for the line-number rescan; empty for standard input
  std::unique_ptr<TextReader> decoder_;
  std::string pending_;  // decoded, not yet scanned: the sniff sample
  Decoder::Status status_ = Decoder::Status::data;
  std::string reject_path_;    // --max-errors: where rejects go (checked free before anything is sent)
  LoadRun run_;                // --jobs: names this run's prepared parts and hidden table
  std::string reject_header_;  // --jobs with --max-errors: the header as read, for the reject file
};

}  // namespace pgmonkey::transfer
