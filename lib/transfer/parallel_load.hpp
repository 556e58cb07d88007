// pgimport --jobs N: the N loading sessions and the coordinating one that makes their work count
// all at once or not at all (a hidden table renamed at the end, or prepared transactions).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "transfer/import_plan.hpp"
#include "transfer/load_marks.hpp"
#include "transfer/parallel_chunks.hpp"
#include "transfer/reject_sink.hpp"

namespace pgmonkey::db {
class Connection;
}

namespace pgmonkey::transfer {

// Opens one more session the way the app opened the first (one per loading session).
using SessionOpener = std::function<std::unique_ptr<db::Connection>()>;

class ParallelLoad {
 public:
  // `plan`: jobs > 1 and method rename or two-phase (plan_sessions, plan_hidden_table).
  ParallelLoad(db::Connection& coordinator, SessionOpener open_session, LoadRun run, const ImportPlan& plan,
               const Relation& target);
  // Not committed: every session rolled back, the hidden table dropped. Never throws.
  ~ParallelLoad();
  ParallelLoad(const ParallelLoad&) = delete;
  ParallelLoad& operator=(const ParallelLoad&) = delete;

  // --max-errors N: sessions set aside up to N bad records of the whole run (rejecting chunks).
  // `write` gets the rejects in input order when the limit is exceeded and returns a hint
  // naming where they went.
  void keep_rejects(std::uint64_t max_errors, std::function<std::string(std::vector<Rejected>)> write);
  // The rejects so far, in input order (after commit(): all of them).
  std::vector<Rejected> take_rejects();

  // The run's advisory lock, the hidden table (rename), the sessions in their transactions.
  void start();
  // A chunk for the sessions (its target says where it goes and names the file). Waits for room.
  void push(Chunk chunk);
  // Between reads: throws InterruptedError after Ctrl-C and stops when a session failed.
  void poll();
  // No more chunks: waits for the sessions, runs `before_decision` (what must not fail once the
  // rows count, such as writing the reject file), then makes their work count (rename, or prepare
  // and commit in order 1..N). Returns the rows the sessions loaded.
  std::uint64_t commit(const std::function<void()>& before_decision = {});
  // Stops the sessions and rolls everything back, then throws what the user should hear: the
  // interruption, the first session's failure (its COPY line mapped to the file line), or `error`
  // (a csv::DataError is said at `source`:line).
  [[noreturn]] void fail(std::exception_ptr error, const std::string& source);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace pgmonkey::transfer
