// The sessions of a parallel import: N threads each COPY the chunks they take inside one open
// transaction; the coordinator (the app's session, on the reader's thread) watches them, and at
// the end renames the hidden table or prepares and commits the parts in order, or rolls back.
#include "transfer/parallel_load.hpp"

#include <fmt/format.h>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "db/copy_in.hpp"
#include "db/quote.hpp"
#include "transfer/import_errors.hpp"

namespace pgmonkey::transfer {
namespace {

// The integration tests play a crash at a named point of the commit: the process stops itself
// there (PGMONKEY_TEST_STOP_AT=prepared-1|prepared|committed-1) and the test SIGKILLs it.
void stop_point_for_tests(const char* name) {
  const char* at = std::getenv("PGMONKEY_TEST_STOP_AT");
  if (at != nullptr && std::strcmp(at, name) == 0) std::raise(SIGSTOP);
}

using Clock = std::chrono::steady_clock;

constexpr std::size_t kPieceBytes = 256u << 10;  // COPY bytes a session sends between checks

// One loading session: its connection, open transaction and thread.
struct Session {
  std::unique_ptr<db::Connection> conn;
  std::unique_ptr<db::Canceller> canceller;
  int pid = 0;  // the server process, to spot sessions waiting on each other
  std::thread thread;
  std::atomic<bool> done{false};
  std::uint64_t rows = 0;  // written by its thread, read after the join
  std::string gid;         // two-phase: set once prepared
};

// The first session failure; later ones (the others being stopped) are not the story.
struct Failure {
  std::mutex mutex;
  std::exception_ptr error;
  ChunkLines lines;  // of the chunk whose COPY failed
  std::shared_ptr<const ChunkTarget> target;
  int session = -1;
  std::atomic<bool> any{false};

  void record(std::exception_ptr e, Chunk* chunk, int s) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!error) {
      error = std::move(e);
      if (chunk) {
        lines = std::move(chunk->lines);
        target = chunk->target;
      }
      session = s;
    }
    any = true;
  }
};

// --max-errors across sessions: the limit is for the whole run; rejects kept by chunk, so they
// come out in input order.
struct Rejects {
  std::uint64_t max_errors = 0;
  std::atomic<std::uint64_t> total{0};
  std::mutex mutex;
  std::map<std::size_t, std::vector<Rejected>> by_chunk;

  void add(std::size_t chunk, std::vector<Rejected> rejects) {
    if (rejects.empty()) return;
    total += rejects.size();
    std::lock_guard<std::mutex> lock(mutex);
    by_chunk[chunk] = std::move(rejects);
  }
  std::vector<Rejected> take() {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<Rejected> out;
    for (auto& [chunk, list] : by_chunk)
      for (auto& r : list) out.push_back(std::move(r));
    by_chunk.clear();
    return out;
  }
};

// Thrown on the reader's side when a session failed: the session's error is the one reported.
struct SessionFailed {};

// A statement outside any transaction block (BEGIN, PREPARE TRANSACTION, COMMIT PREPARED ...).
void exec_plain(db::Connection& conn, const std::string& sql) {
  sql_step([&] {
    pqxx::nontransaction t(conn, "pgimport");
    t.exec(sql);
  });
}

// --max-errors: a chunk of records as read, scanned again into a RejectSink on this session,
// under a savepoint of its own (releasing it ends the sink's savepoints too).
std::uint64_t load_rejecting(Session& s, Chunk& chunk, Rejects& rejects) {
  exec_plain(*s.conn, "SAVEPOINT pgimport_chunk");
  const std::uint64_t offset = chunk.first_line - 1;
  std::vector<Rejected> found;
  const std::uint64_t so_far = rejects.total.load();
  std::uint64_t rows = 0;
  try {
    RejectSink sink(
        make_db_batch_target(*s.conn, chunk.target->copy_sql),
        rejects.max_errors - std::min(rejects.max_errors, so_far),
        [&](const Rejected& r) {
          found.push_back(r);
          found.back().line += offset;
        },
        [](std::string_view) {});
    auto config = chunk.target->rescan;
    config.hook = &sink;
    csv::RecordScanner scanner(config);
    scanner.scan(chunk.data.data(), chunk.data.size(), true, [&](const char* p, std::size_t n) { sink.write(p, n); });
    rows = sink.finish(scanner.records());
  } catch (const RejectLimitExceeded& e) {
    rejects.add(chunk.index, std::move(found));
    throw RejectLimitExceeded(e.line() + offset);
  } catch (const csv::DataError& e) {
    throw csv::DataError(e.line() + offset, e.what(), e.hint(), e.column());
  }
  exec_plain(*s.conn, "RELEASE SAVEPOINT pgimport_chunk");
  rejects.add(chunk.index, std::move(found));
  if (rejects.total.load() > rejects.max_errors) throw RejectLimitExceeded(chunk.first_line);
  return rows;
}

// A session's thread: COPY each chunk it takes, inside the session's one open transaction.
void load_chunks(Session& s, int index, ChunkQueue& queue, Failure& failure, Rejects& rejects) {
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag = true; }
  } done{s.done};
  std::optional<Chunk> chunk;
  try {
    while ((chunk = queue.pop())) {
      if (chunk->target->rejecting) {
        s.rows += load_rejecting(s, *chunk, rejects);
        continue;
      }
      db::CopyIn copy(*s.conn, chunk->target->copy_sql);
      for (std::size_t at = 0; at < chunk->data.size(); at += kPieceBytes) {
        if (failure.any) return;  // the COPY is aborted as it goes
        copy.write(chunk->data.data() + at, std::min(kPieceBytes, chunk->data.size() - at));
        if (copy.server_reported_error()) copy.fail_after_server_error();
      }
      s.rows += copy.finish();
    }
  } catch (...) {
    failure.record(std::current_exception(), chunk ? &*chunk : nullptr, index);
  }
}

}  // namespace

struct ParallelLoad::State {
  db::Connection& conn;
  SessionOpener open_session;
  LoadRun run;
  int jobs;
  bool rename;
  std::string load_ddl;
  std::string hidden_sql;  // rename: the hidden table, quoted
  std::string final_sql;   // rename: the table's name as statements spell it
  std::string final_name;  // rename: its bare name
  std::string display;
  std::pair<int, int> lock_key;
  bool locked = false;
  bool hidden_created = false;
  bool committed = false;
  std::vector<std::unique_ptr<Session>> sessions;
  ChunkQueue queue;
  Failure failure;
  Rejects rejects;
  bool rejecting = false;
  std::function<std::string(std::vector<Rejected>)> write_rejects;
  std::atomic<int> conflict{-1};  // the session stopped because it waited on a sibling's row
  Clock::time_point last_check = Clock::now();

  State(db::Connection& c, SessionOpener open, LoadRun r, const ImportPlan& plan, const Relation& target)
      : conn(c),
        open_session(std::move(open)),
        run(r),
        jobs(static_cast<int>(plan.jobs)),
        rename(plan.method == LoadMethod::rename),
        load_ddl(plan.load_ddl),
        display(plan.table),
        lock_key(run_lock_key(r)),
        queue(plan.jobs) {
    if (rename) {
      hidden_sql = db::quote_qualified(target.schema, hidden_table_name(target.name, r));
      final_sql = target.sql_name;
      final_name = target.name;
    }
  }

  void unlock() noexcept {
    if (!locked) return;
    try {
      pqxx::nontransaction t(conn, "pgimport");
      db::exec_params(t, "SELECT pg_advisory_unlock($1, $2)", lock_key.first, lock_key.second);
    } catch (...) {  // the session is gone: so is its lock
    }
    locked = false;
  }

  // A session waiting on a row lock of a sibling's transaction waits forever: the sibling is
  // done and waits for the coordinator, which waits for the blocked one. It is a conflict
  // inside the input (a duplicate key): that session is cancelled, its COPY error names the line.
  void check_conflicts() {
    std::vector<std::string> pids;
    for (const auto& s : sessions) pids.push_back(std::to_string(s->pid));
    const std::string list = "{" + core::join(pids, ",") + "}";
    pqxx::result r = sql_step([&] {
      pqxx::nontransaction t(conn, "pgimport");
      return db::exec_params(t,
                             "SELECT l.pid FROM pg_locks l WHERE NOT l.granted AND l.locktype = 'transactionid' "
                             "AND l.pid = ANY($1::int[]) AND pg_blocking_pids(l.pid) && $1::int[]",
                             list);
    });
    for (const auto& row : r)
      for (int i = 0; i < jobs; ++i)
        if (sessions[static_cast<std::size_t>(i)]->pid == row[0].as<int>() && conflict.load() < 0) {
          conflict = i;
          sessions[static_cast<std::size_t>(i)]->canceller->cancel();
        }
  }

  // Stops and joins the sessions' threads; one that does not answer its cancel in time has its
  // socket shut.
  void stop_sessions(bool cancel) noexcept {
    if (cancel) queue.stop();
    for (auto& s : sessions)
      if (cancel && !s->done) s->canceller->cancel();
    const auto give_up = Clock::now() + std::chrono::seconds(db::kCancelGraceSeconds);
    for (auto& s : sessions) {
      while (s->thread.joinable() && !s->done && Clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (!s->done) s->canceller->cut();
      if (s->thread.joinable()) s->thread.join();
    }
  }

  // Nothing of the run stays: open transactions end with their sessions, prepared ones are
  // rolled back, the hidden table is dropped. What cannot be undone is left for --recover.
  void roll_back() noexcept {
    stop_sessions(true);
    std::vector<std::string> gids;
    for (auto& s : sessions)
      if (!s->gid.empty()) gids.push_back(s->gid);
    sessions.clear();
    // From the last part down: should this process die half way, the parts still prepared are
    // a prefix 1..k, which --recover rolls back too (load_marks' resolve_run).
    // A part that was never prepared (42704) is done; any other failure stops here, so what is
    // left is still a prefix.
    for (auto gid = gids.rbegin(); gid != gids.rend(); ++gid) try {
        pqxx::nontransaction t(conn, "pgimport");
        t.exec("ROLLBACK PREPARED " + db::quote_literal(*gid));
      } catch (const pqxx::sql_error& e) {
        if (db::sqlstate_of(e) != "42704") break;
      } catch (...) {
        break;
      }
    if (hidden_created) try {
        sql_step([&] {
          pqxx::work tx(conn, "pgimport");
          tx.exec("DROP TABLE IF EXISTS " + hidden_sql);
          tx.commit();
        });
        hidden_created = false;
      } catch (...) {
      }
    unlock();
  }
};

ParallelLoad::ParallelLoad(db::Connection& coordinator, SessionOpener open_session, LoadRun run, const ImportPlan& plan,
                           const Relation& target)
    : s_(std::make_unique<State>(coordinator, std::move(open_session), run, plan, target)) {}

ParallelLoad::~ParallelLoad() {
  if (!s_->committed) s_->roll_back();
}

void ParallelLoad::keep_rejects(std::uint64_t max_errors, std::function<std::string(std::vector<Rejected>)> write) {
  s_->rejecting = true;
  s_->rejects.max_errors = max_errors;
  s_->write_rejects = std::move(write);
}

std::vector<Rejected> ParallelLoad::take_rejects() {
  return s_->rejects.take();
}

void ParallelLoad::start() {
  auto& s = *s_;
  // --recover tells a live run from a dead one by this lock, held by this session until the end.
  sql_step([&] {
    pqxx::nontransaction t(s.conn, "pgimport");
    db::exec_params(t, "SELECT pg_advisory_lock($1, $2)", s.lock_key.first, s.lock_key.second);
  });
  s.locked = true;
  // The new table under its hidden name, committed so every session can load it.
  if (s.rename) {
    sql_step([&] {
      pqxx::work tx(s.conn, "pgimport");
      tx.exec(s.load_ddl);
      tx.commit();
    });
    s.hidden_created = true;
  }
  for (int i = 0; i < s.jobs; ++i) {
    auto session = std::make_unique<Session>();
    session->conn = s.open_session();
    exec_plain(*session->conn, "BEGIN");
    session->canceller = std::make_unique<db::Canceller>(session->conn->raw());
    session->pid = static_cast<int>(session->conn->backendpid());
    s.sessions.push_back(std::move(session));
  }
  db::SignalsKeptFromWorkers blocked;  // signals go to the reader's thread, whose loops watch for them
  for (int i = 0; i < s.jobs; ++i) {
    Session& session = *s.sessions[static_cast<std::size_t>(i)];
    session.thread =
        std::thread(load_chunks, std::ref(session), i, std::ref(s.queue), std::ref(s.failure), std::ref(s.rejects));
  }
}

void ParallelLoad::poll() {
  auto& s = *s_;
  db::throw_if_interrupted();
  if (s.failure.any) throw SessionFailed();
  if (Clock::now() - s.last_check > std::chrono::seconds(1)) {
    s.last_check = Clock::now();
    s.check_conflicts();
  }
}

void ParallelLoad::push(Chunk chunk) {
  s_->queue.push(std::move(chunk), [this] { poll(); });
}

std::uint64_t ParallelLoad::commit(const std::function<void()>& before_decision) {
  auto& s = *s_;
  s.queue.close();
  for (auto& session : s.sessions)
    while (!session->done) {
      poll();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  poll();
  s.stop_sessions(false);
  std::uint64_t rows = 0;
  for (const auto& session : s.sessions) rows += session->rows;
  db::throw_if_interrupted();
  if (before_decision) before_decision();
  if (s.rename) {
    for (auto& session : s.sessions) exec_plain(*session->conn, "COMMIT");
    s.sessions.clear();
    sql_step([&] {
      pqxx::work tx(s.conn, "pgimport");
      // The name was free when the run started; someone may have taken it since.
      if (!db::exec_params(tx, "SELECT to_regclass($1)", s.final_sql)[0][0].is_null())
        throw JobError("table " + s.display + " was created by someone else while pgimport loaded it", {},
                       "nothing was imported: the loaded rows were dropped; import into another table, or load "
                       "the existing one");
      // The CREATE TABLE pgimport writes has no serial columns, constraints or indexes: only the
      // table (and its row type) carries the hidden name.
      tx.exec("ALTER TABLE " + s.hidden_sql + " RENAME TO " + db::quote_ident(s.final_name));
      tx.commit();
    });
    s.hidden_created = false;
  } else {
    // Prepared in order 1..N and committed in order 1..N: after a crash --recover can tell
    // from the parts still prepared which way the run was decided (load_marks' resolve_run).
    for (int i = 0; i < s.jobs; ++i) {
      Session& session = *s.sessions[static_cast<std::size_t>(i)];
      const std::string gid = make_gid({s.run, i + 1, s.jobs});
      // Known before it is asked for: a lost reply may hide a part the server did prepare.
      session.gid = gid;
      exec_plain(*session.conn, "PREPARE TRANSACTION " + db::quote_literal(gid));
      if (i == 0) stop_point_for_tests("prepared-1");
    }
    // Every part is prepared: the run commits, whatever happens now.
    s.committed = true;
    stop_point_for_tests("prepared");
    for (int i = 0; i < s.jobs; ++i) {
      const std::string gid = s.sessions[static_cast<std::size_t>(i)]->gid;
      try {
        exec_plain(s.conn, "COMMIT PREPARED " + db::quote_literal(gid));
        if (i == 0) stop_point_for_tests("committed-1");
      } catch (const Error& e) {
        s.unlock();  // --recover may take the run over now
        throw JobError(fmt::format("could not commit part {} of {} of the load: {}", i + 1, s.jobs, e.what()), {},
                       "every part is prepared, so the load is decided: run pgimport --recover to commit the rest "
                       "(prepared transactions " +
                           gid + " ...)");
      }
    }
    s.sessions.clear();
  }
  s.committed = true;
  s.unlock();
  return rows;
}

void ParallelLoad::fail(std::exception_ptr error, const std::string& source) {
  auto& s = *s_;
  const bool session_failed = s.failure.any;  // before the stop makes the others fail too
  if (s.committed) std::rethrow_exception(error);
  s.roll_back();
  // What the user hears: the interruption, the first session failure, or the reader's error.
  if (db::interrupted()) throw InterruptedError();
  if (session_failed) {
    try {
      std::rethrow_exception(s.failure.error);
    } catch (const RejectLimitExceeded& e) {
      // As with one session: the rejects so far are written, in input order, and nothing loads.
      std::vector<Rejected> all = s.rejects.take();
      const std::uint64_t max = s.rejects.max_errors;
      const std::uint64_t line = all.size() > max ? all[max].line : e.line();
      const std::string where = s.failure.target ? s.failure.target->source : source;
      const std::string hint = s.write_rejects ? s.write_rejects(std::move(all)) : std::string();
      throw JobError(fmt::format("{}:{}: more than {} record{} rejected (--max-errors {})", where, line, max,
                                 max == 1 ? "" : "s", max),
                     {}, hint + kRolledBack);
    } catch (const csv::DataError& e) {
      throw_data_error(s.failure.target ? s.failure.target->source : source, e.line(), e.what(), e.hint(), true,
                       e.column());
    } catch (const db::CopyError& e) {
      const std::string where = s.failure.target ? s.failure.target->source : source;
      const csv::LineMap none(0, 0);
      auto line_of = [&](std::uint64_t l) { return s.failure.lines.line_of(l); };
      if (s.conflict.load() == s.failure.session && e.copy_line()) {
        auto line = line_of(*e.copy_line());
        throw JobError(fmt::format("{}:{}: this record waits for a row another session of this import loaded: "
                                   "a duplicate key in the input (or another conflict between its rows)",
                                   where, line ? std::to_string(*line) : std::string("?")),
                       {}, std::string("load with --jobs 1 to see the server's error for it; ") + kRolledBack);
      }
      throw_copy_error(e, where, none, line_of);
    }
  }
  try {
    std::rethrow_exception(error);
  } catch (const SessionFailed&) {
    throw JobError("a loading session failed", {}, kRolledBack);  // not reached: session_failed is set
  } catch (const csv::DataError& e) {
    throw_data_error(source, e.line(), e.what(), e.hint(), true, e.column());
  }
}

}  // namespace pgmonkey::transfer
