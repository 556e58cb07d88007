// pgimport with several files: each read and sniffed on its own, all loaded into one table in
// one transaction, all or nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "transfer/import_job.hpp"

namespace pgmonkey::transfer {

struct ImportFilesResult {
  std::string table;
  std::vector<ImportResult> files;  // in the order given
  double seconds = 0;
  bool dry_run = false;
  unsigned jobs = 1;
  LoadMethod method = LoadMethod::single;

  std::uint64_t rows() const;
  core::Json to_json() const;
  std::vector<std::string> summary() const;  // one line per file, then the total
};

// Throws as ImportJob does. Every file is read and sniffed first (no server); in the
// transaction every file is planned against the table (created from the first file's header
// when missing) before any row is sent, so a file whose header matches no column fails first.
class ImportFilesJob {
  using Clock = std::chrono::steady_clock;

 public:
  // `files`: two or more, none given twice, no standard input (it cannot be read again).
  ImportFilesJob(ImportOptions options, std::vector<std::string> files, std::string connection_config,
                 ImportCallbacks callbacks);
  // With --jobs N, `open_session` opens the sessions that load every file's chunks in turn.
  ImportFilesResult run(db::Connection& conn, const SessionOpener& open_session = {});

 private:
  ImportFilesResult run_single(db::Connection& conn);
  ImportFilesResult run_parallel(db::Connection& conn, const SessionOpener& open_session);
  // Adds this run's progress over all files to `cb`, for file `i` of them.
  void follow(ImportCallbacks& cb, std::size_t i, Clock::time_point t0, const std::uint64_t& bytes_before,
              const std::uint64_t& rows_before) const;

  // `rejected_before`: records the earlier files rejected, which count toward --max-errors.
  ImportJob open(std::size_t i, const ImportCallbacks& callbacks, std::uint64_t rejected_before = 0) const;

  ImportOptions options_;
  std::vector<std::string> files_;
  std::string connection_config_;
  ImportCallbacks callbacks_;
  std::vector<std::optional<std::uint64_t>> sizes_;  // compressed sizes, for the progress
};

}  // namespace pgmonkey::transfer
