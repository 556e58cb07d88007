// Block ranges over several sessions in one snapshot: one thread per session, the writer here.
#include "transfer/parallel_export.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "db/copy_out.hpp"
#include "db/quote.hpp"
#include "transfer/ordered_chunks.hpp"

namespace pgmonkey::transfer {
namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;
// What a session may read ahead of the writer: a range's CSV (kRangeBytes of heap) with room.
constexpr std::size_t kAheadBytes = 6u << 20;

struct Session {
  explicit Session(pg_conn* c) : raw(c), canceller(c) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::unique_ptr<db::Connection> conn;  // null for the coordinator, which the caller owns
  std::unique_ptr<db::ReadOnlySnapshot> tx;
  pg_conn* raw;
  db::Canceller canceller;  // taken before the thread starts: safe from any thread
  std::thread thread;
  std::atomic<bool> running{false};
};

// One session's loop: take the next range, COPY it out, hand its data over in chunks.
void read_ranges(std::size_t index, Session& s, const ExportPlan& plan, OrderedChunks& chunks) {
  struct Ended {
    std::atomic<bool>& running;
    ~Ended() { running = false; }
  } ended{s.running};
  try {
    while (auto r = chunks.take_range()) {
      db::CopyOut copy(s.raw, plan.range_sql[*r]);
      std::string buf;
      buf.reserve(kChunkBytes + 64 * 1024);
      std::string_view row;
      while (copy.next(row)) {
        buf.append(row.data(), row.size());
        if (buf.size() < kChunkBytes) continue;
        if (!chunks.push(index, *r, std::move(buf))) return;  // stopped: CopyOut cancels on its way out
        buf = std::string();
        buf.reserve(kChunkBytes + 64 * 1024);
      }
      if (!buf.empty() && !chunks.push(index, *r, std::move(buf))) return;
      chunks.finish_range(*r, copy.rows());
    }
  } catch (...) {
    chunks.fail(std::current_exception());
  }
}

// Owns the session threads: on the way out after a failure, stops the hand-over, cancels every
// statement, cuts the sessions that do not answer in time, and joins.
class Crew {
 public:
  Crew(std::vector<std::unique_ptr<Session>>& sessions, OrderedChunks& chunks) : sessions_(sessions), chunks_(chunks) {}
  ~Crew() { stop(); }
  Crew(const Crew&) = delete;
  Crew& operator=(const Crew&) = delete;

  void start(const ExportPlan& plan) {
    db::SignalsKeptFromWorkers blocked;  // signals go to the writer's thread, which polls the flag
    for (std::size_t i = 0; i < sessions_.size(); ++i) {
      Session& s = *sessions_[i];
      s.running = true;
      s.thread = std::thread(read_ranges, i, std::ref(s), std::cref(plan), std::ref(chunks_));
    }
  }

  // All ranges were written: the threads have ended or are about to.
  void join() noexcept {
    for (auto& s : sessions_)
      if (s->thread.joinable()) s->thread.join();
  }

  void stop() noexcept {
    chunks_.stop();
    for (auto& s : sessions_)
      if (s->running) s->canceller.cancel();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(db::kCancelGraceSeconds);
    while (any_running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // A stopped backend or a dead network: make libpq give up on the socket.
    for (auto& s : sessions_)
      if (s->running) s->canceller.cut();
    join();
  }

 private:
  bool any_running() const {
    for (const auto& s : sessions_)
      if (s->running) return true;
    return false;
  }

  std::vector<std::unique_ptr<Session>>& sessions_;
  OrderedChunks& chunks_;
};

// Session n of N, or a connection error that says which and how to do with fewer.
std::unique_ptr<db::Connection> open_session_n(const SessionOpener& open_session, int n, int of) {
  try {
    return open_session();
  } catch (const ConnectError& e) {
    std::string hint = e.hint();
    hint += (hint.empty() ? "" : "; ") + std::string("or export with fewer sessions (--jobs ") +
            std::to_string(std::max(1, n - 1)) + ")";
    throw ConnectError(e.kind(), "session " + std::to_string(n) + " of " + std::to_string(of) + ": " + e.what(), hint);
  }
}

}  // namespace

void lock_for_ranges(pqxx::transaction_base& tx, const CopyRelation& source, bool nowait) {
  const std::string name = db::quote_qualified(source.schema, source.table);
  try {
    tx.exec("LOCK TABLE " + name + " IN ACCESS SHARE MODE" + (nowait ? " NOWAIT" : ""));
  } catch (const pqxx::sql_error& e) {
    if (db::sqlstate_of(e) != "55P03") throw;
    throw JobError("cannot start the other sessions: " + source.schema + "." + source.table +
                       " has a lock request waiting for this export (ALTER, DROP, TRUNCATE, VACUUM FULL, ...)",
                   {}, "run the export again once that is done, or use --jobs 1", "55P03");
  }
}

std::uint64_t run_block_ranges(db::Connection& coordinator, const std::string& snapshot, const ExportPlan& plan,
                               const SessionOpener& open_session,
                               const std::function<void(std::string_view chunk, std::uint64_t rows)>& write,
                               const std::function<void()>& between) {
  // 1. The sessions, each in the coordinator's snapshot before anything is read.
  std::vector<std::unique_ptr<Session>> sessions;
  sessions.push_back(std::make_unique<Session>(coordinator.raw()));
  for (int i = 1; i < plan.jobs; ++i) {
    between();
    auto conn = open_session_n(open_session, i + 1, plan.jobs);
    auto s = std::make_unique<Session>(conn->raw());
    s->conn = std::move(conn);
    s->tx = std::make_unique<db::ReadOnlySnapshot>(*s->conn, "pgexport_range");
    s->tx->exec("SET TRANSACTION SNAPSHOT " + db::quote_literal(snapshot));
    lock_for_ranges(*s->tx, plan.source, true);
    sessions.push_back(std::move(s));
  }
  between();
  // 2. The ranges, read in parallel and written here in block order.
  OrderedChunks chunks(plan.range_sql.size(), sessions.size(), kAheadBytes);
  std::uint64_t rows = 0;
  {
    Crew crew(sessions, chunks);
    crew.start(plan);
    std::string chunk;
    while (chunks.pop(chunk, between)) {
      between();
      write(chunk, chunks.rows_done());
    }
    crew.join();
    if (!chunks.complete()) throw JobError("the export stopped before its last block range");
    rows = chunks.rows_done();
  }
  // 3. The sessions' snapshots end; the coordinator's transaction is the caller's.
  for (std::size_t i = 1; i < sessions.size(); ++i) {
    try {
      sessions[i]->tx->commit();
    } catch (const pqxx::in_doubt_error&) {
      throw JobError("lost the connection to the server while ending session " + std::to_string(i + 1) + "'s snapshot",
                     {}, "the server closed the session (restart, crash, or pg_terminate_backend)");
    }
  }
  return rows;
}

}  // namespace pgmonkey::transfer
