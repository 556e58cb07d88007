// pgimport --recover: finishes what interrupted parallel imports left on the server (their
// prepared transactions, committed or rolled back by resolve_run's rule, and their hidden
// tables) and leaves runs that are still going alone.
#pragma once

#include <string>
#include <vector>

#include "core/json.hpp"
#include "db/connection.hpp"
#include "transfer/leftovers.hpp"

namespace pgmonkey::transfer {

enum class StepStatus {
  done,
  planned,  // --dry-run
  gone,     // already finished by someone else (another --recover)
  failed,   // see error and hint
  skipped,  // an earlier step of the run failed
};
const char* to_string(StepStatus s);

// The statement a step runs: COMMIT PREPARED 'gid', ROLLBACK PREPARED 'gid', DROP TABLE "s"."t".
std::string sql_for(const RecoverStep& step);

struct RecoverStepResult {
  RecoverStep step;
  StepStatus status = StepStatus::planned;
  std::string error;  // the server's message, when failed
  std::string hint;   // what to do about it
};

struct RecoverRunResult {
  LeftoverRun found;
  std::vector<RecoverStepResult> steps;  // none for a live run
  bool resolved() const;                 // dead, and every step done or gone (or planned, on a dry run)
};

struct RecoverResult {
  std::string database;
  bool dry_run = false;
  std::vector<RecoverRunResult> runs;
  std::vector<std::pair<std::string, int>> other_databases;

  int count(StepStatus status, RecoverAction action) const;
  int unresolved() const;  // dead runs with a failed or skipped step, or a conflict
  int alive() const;
  core::Json to_json() const;
};

// Runs outside any transaction block (COMMIT PREPARED and ROLLBACK PREPARED refuse one). A
// dead run's advisory lock is held while it is finished, so two --recover at once never act on
// the same run, and what it does is decided from a second read under that lock. A step that fails is reported and the
// run's later steps are skipped; other runs go on. Throws only for a lost connection or a failing catalog query.
class RecoverJob {
 public:
  explicit RecoverJob(bool dry_run) : dry_run_(dry_run) {}
  RecoverResult run(db::Connection& conn);

 private:
  bool dry_run_;
};

}  // namespace pgmonkey::transfer
