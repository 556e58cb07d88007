// Names that let a parallel import left behind by a crash be found again: the global transaction
// ids of its prepared parts and the hidden table a new table is loaded under.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgmonkey::transfer {

// One parallel import run: the process id and start time (Unix seconds) identify it on a server.
struct LoadRun {
  long long pid = 0;
  long long started = 0;
};

// One session's part of a run, as written in its prepared transaction's gid.
struct PreparedPart {
  LoadRun run;
  int part = 0;   // 1-based
  int parts = 0;  // how many sessions the run prepared
};

// "pgmonkey-pgimport:<pid>:<started>:<part>/<parts>", well under the 200-byte gid limit.
std::string make_gid(const PreparedPart& part);
// The inverse; nullopt for any gid this tool did not write.
std::optional<PreparedPart> parse_gid(std::string_view gid);

// The session-level advisory lock the coordinating session of a run holds while the run lives
// (pg_advisory_lock(int4, int4)): --recover touches only runs whose lock it can take.
std::pair<int, int> run_lock_key(const LoadRun& run);

// What --recover does with a run's prepared parts. The coordinator prepares parts in order 1..N
// and commits them in order 1..N, so the parts still prepared after a crash are either a prefix
// 1..k (it died while preparing: roll back, unless all N are there: commit) or a suffix k+1..N
// (it died while committing: part 1 is committed, commit the rest).
enum class Resolution { commit, rollback };
Resolution resolve_run(int parts, const std::vector<int>& prepared_parts);

// The name a new table is created and loaded under before it is renamed to `final_table`:
// "pgmonkey_load_<pid>_<started>_<final_table shortened>", at most 63 bytes and never cut inside
// a UTF-8 character. Unquoted-safe prefix; the caller still quotes it.
std::string hidden_table_name(const std::string& final_table, const LoadRun& run);
// The run a hidden table belongs to; nullopt for any other name.
std::optional<LoadRun> parse_hidden_table_name(std::string_view name);

}  // namespace pgmonkey::transfer
