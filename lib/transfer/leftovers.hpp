// What interrupted parallel imports left on a server, grouped by run, from plain catalog rows:
// the rules --recover and the normal path's warning follow, without a database.
#pragma once

#include <string>
#include <vector>

#include "transfer/load_marks.hpp"

namespace pgmonkey::transfer {

// A row of pg_prepared_xacts whose gid looks like ours (any database of the cluster).
struct PreparedXactRow {
  std::string gid;
  std::string owner;
  std::string database;
};

// A table (pg_class, any schema) whose name looks like a hidden load table.
struct HiddenTableRow {
  std::string schema;
  std::string name;
  std::string owner;
};

struct LeftoverPart {
  std::string gid;
  int part = 0;
  int parts = 0;
  std::string owner;
};

struct LeftoverTable {
  std::string schema;
  std::string name;
  std::string owner;
};

// What --recover does with a dead run, in the order it does it.
enum class RecoverAction { commit, rollback, drop };
const char* to_string(RecoverAction a);

struct RecoverStep {
  RecoverAction action = RecoverAction::drop;
  std::string gid;     // commit, rollback
  std::string schema;  // drop
  std::string table;   // drop
  std::string owner;
};

struct LeftoverRun {
  LoadRun run;
  std::vector<LeftoverPart> parts;    // by part number
  std::vector<LeftoverTable> tables;  // by schema, name
  bool alive = false;                 // its coordinator still holds the run's lock
  // Set when its gids disagree on how many parts the run had: the rule cannot be applied and the
  // run is left for a person to look at.
  std::string conflict;

  // How many parts the run prepared, as its gids say.
  int part_count() const;
  // resolve_run's decision for the parts still prepared; commit when there are none.
  Resolution resolution() const;
  // Why, in words: "all 3 parts were prepared: commit them".
  std::string reason() const;
  // Commit in part order 1..N, roll back in reverse (N..1): a crash half way through leaves a
  // set of parts that resolve_run still reads the same way. Hidden tables are dropped last, once
  // no prepared part can hold a lock on them.
  std::vector<RecoverStep> steps() const;
};

struct Leftovers {
  std::string database;
  std::vector<LeftoverRun> runs;  // by start time, then pid
  // Our gids prepared in other databases: COMMIT PREPARED works only from the database a
  // transaction was prepared in, so these are named, not touched.
  std::vector<std::pair<std::string, int>> other_databases;  // database, prepared transactions

  bool empty() const { return runs.empty() && other_databases.empty(); }
};

// Keeps what parse_gid and parse_hidden_table_name accept, drops the rest (another
// application's gid, a table that only starts like ours), and groups it by run. Every run is
// marked dead (alive = false): liveness is the lock's to tell.
Leftovers group_leftovers(const std::string& database, const std::vector<PreparedXactRow>& xacts,
                          const std::vector<HiddenTableRow>& tables);

// "pid 4242 started 2026-12-06 18:00:00 UTC"
std::string describe_run(const LoadRun& run);
// The run's start as ISO 8601 UTC, "2026-12-06T18:00:00Z".
std::string started_iso(const LoadRun& run);

// The one warning line for the dead runs among `runs`, or empty when there are none: "found 2
// prepared transactions and 1 hidden table left by an interrupted parallel pgimport (run pid P
// started T); run 'pgimport --recover'".
std::string leftover_warning(const std::vector<LeftoverRun>& runs);

}  // namespace pgmonkey::transfer
