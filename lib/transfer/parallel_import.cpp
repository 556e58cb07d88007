// pgimport --jobs N: one reader scans the input once and cuts it into chunks, N sessions COPY
// them, and the coordinating session (the app's) makes the load count all at once or not at all.
#include <fmt/format.h>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <pthread.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "db/copy_in.hpp"
#include "db/quote.hpp"
#include "transfer/decompressing_source.hpp"
#include "transfer/import_errors.hpp"
#include "transfer/import_job.hpp"
#include "transfer/import_pump.hpp"
#include "transfer/parallel_chunks.hpp"
#include "transfer/text_reader.hpp"

namespace pgmonkey::transfer {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kPieceBytes = 256u << 10;  // COPY bytes a session sends between checks

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

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
  int session = -1;
  std::atomic<bool> any{false};

  void record(std::exception_ptr e, ChunkLines l, int s) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!error) {
      error = std::move(e);
      lines = std::move(l);
      session = s;
    }
    any = true;
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

// A session's thread: COPY each chunk it takes, inside the session's one open transaction.
void load_chunks(Session& s, int index, ChunkQueue& queue, const std::string& copy_sql, Failure& failure) {
  // Signals go to the reader's thread, whose loops watch for them.
  sigset_t block;
  sigemptyset(&block);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGALRM, SIGPIPE}) sigaddset(&block, sig);
  pthread_sigmask(SIG_BLOCK, &block, nullptr);
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag = true; }
  } done{s.done};
  try {
    while (auto chunk = queue.pop()) {
      try {
        db::CopyIn copy(*s.conn, copy_sql);
        for (std::size_t at = 0; at < chunk->data.size(); at += kPieceBytes) {
          if (failure.any) return;  // the COPY is aborted as it goes
          copy.write(chunk->data.data() + at, std::min(kPieceBytes, chunk->data.size() - at));
          if (copy.server_reported_error()) copy.fail_after_server_error();
        }
        s.rows += copy.finish();
      } catch (const db::CopyError&) {
        failure.record(std::current_exception(), std::move(chunk->lines), index);
        return;
      }
    }
  } catch (...) {
    failure.record(std::current_exception(), {}, index);
  }
}

}  // namespace

ImportResult ImportJob::load_parallel(db::Connection& conn, const SessionOpener& open_session, ImportPlan plan,
                                      const Relation& target) {
  const bool rename = plan.method == LoadMethod::rename;
  const std::string copy_sql = rename ? plan.load_copy_sql : plan.copy_sql;
  const std::string hidden_name = rename ? hidden_table_name(target.name, run_) : std::string();
  const std::string hidden_sql = rename ? db::quote_qualified(target.schema, hidden_name) : std::string();
  const auto n = static_cast<int>(plan.jobs);

  std::vector<std::unique_ptr<Session>> sessions;
  ChunkQueue queue(plan.jobs);
  Failure failure;
  std::atomic<int> conflict{-1};  // the session stopped because it waited on a sibling's row
  bool hidden_created = false;
  auto last_check = Clock::now();

  // --recover tells a live run from a dead one by this lock, held by this session until the end.
  const auto [k1, k2] = run_lock_key(run_);
  sql_step([&, k1 = k1, k2 = k2] {
    pqxx::nontransaction t(conn, "pgimport");
    db::exec_params(t, "SELECT pg_advisory_lock($1, $2)", k1, k2);
  });
  auto unlock = [&, k1 = k1, k2 = k2]() noexcept {
    try {
      pqxx::nontransaction t(conn, "pgimport");
      db::exec_params(t, "SELECT pg_advisory_unlock($1, $2)", k1, k2);
    } catch (...) {  // the session is gone: so is its lock
    }
  };

  // A session waiting on a row lock of a sibling's transaction waits forever: the sibling is
  // done and waits for the coordinator, which waits for the blocked one. It is a conflict
  // inside the file (a duplicate key): that session is cancelled, its COPY error names the line.
  auto check_conflicts = [&] {
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
      for (int i = 0; i < n; ++i)
        if (sessions[static_cast<std::size_t>(i)]->pid == row[0].as<int>() && conflict.load() < 0) {
          conflict = i;
          sessions[static_cast<std::size_t>(i)]->canceller->cancel();
        }
  };
  auto poll = [&] {
    db::throw_if_interrupted();
    if (failure.any) throw SessionFailed();
    if (Clock::now() - last_check > std::chrono::seconds(1)) {
      last_check = Clock::now();
      check_conflicts();
    }
  };
  // Stops and joins the sessions' threads; one that does not answer its cancel in time has its
  // socket shut.
  auto stop_sessions = [&](bool cancel) noexcept {
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
  };
  // Nothing of the run stays: open transactions end with their sessions, prepared ones are
  // rolled back, the hidden table is dropped.
  auto roll_back = [&]() noexcept {
    std::vector<std::string> gids;
    for (auto& s : sessions)
      if (!s->gid.empty()) gids.push_back(s->gid);
    sessions.clear();
    for (const auto& gid : gids) try {
        exec_plain(conn, "ROLLBACK PREPARED " + db::quote_literal(gid));
      } catch (...) {  // left for pgimport --recover
      }
    if (hidden_created) try {
        sql_step([&] {
          pqxx::work tx(conn, "pgimport");
          tx.exec("DROP TABLE IF EXISTS " + hidden_sql);
          tx.commit();
        });
      } catch (...) {  // left for pgimport --recover
      }
    unlock();
  };

  ImportResult result;
  result.dry_run = false;
  auto config = scanner_config(plan);
  std::exception_ptr error;
  std::uint64_t blank_lines = 0, first_blank = 0;
  try {
    // 1. The new table, under its hidden name, committed so every session can load it.
    if (rename) {
      sql_step([&] {
        pqxx::work tx(conn, "pgimport");
        tx.exec(plan.load_ddl);
        tx.commit();
      });
      hidden_created = true;
    }
    // 2. The sessions, each in its transaction.
    for (int i = 0; i < n; ++i) {
      auto s = std::make_unique<Session>();
      s->conn = open_session();
      exec_plain(*s->conn, "BEGIN");
      s->canceller = std::make_unique<db::Canceller>(s->conn->raw());
      s->pid = static_cast<int>(s->conn->backendpid());
      sessions.push_back(std::move(s));
    }
    for (int i = 0; i < n; ++i) {
      Session& s = *sessions[static_cast<std::size_t>(i)];
      s.thread = std::thread(load_chunks, std::ref(s), i, std::ref(queue), std::cref(copy_sql), std::ref(failure));
    }
    // 3. The reader: decode and scan once, hand on whole records in chunks.
    ChunkCutter cutter(options_.chunk_bytes, [&](Chunk&& c) { queue.push(std::move(c), poll); });
    config.hook = &cutter;
    config.set_aside_bad = false;
    csv::RecordScanner scanner(config);
    ImportChain chain{*decoder_, scanner, cutter, "invalid byte sequence for encoding " + plan.encoding.name,
                      plan.encoding.user_set ? "check --encoding (or the import config's encoding)"
                                             : "name the file's encoding with --encoding"};
    auto last_progress = Clock::now();
    auto report = [&](bool final) {
      if (callbacks_.on_progress)
        callbacks_.on_progress(
            {input_->raw_consumed(), input_->raw().size(), false, scanner.records(), seconds_since(started_), final});
    };
    run_chain(chain, pending_, status_, [&] {
      poll();
      if (Clock::now() - last_progress > std::chrono::milliseconds(100)) {
        last_progress = Clock::now();
        report(false);
      }
      return true;
    });
    cutter.finish(scanner.records());
    queue.close();
    for (auto& s : sessions)
      while (!s->done) {
        poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    poll();
    report(true);
    blank_lines = scanner.blank_lines();
    first_blank = scanner.first_blank_line();
  } catch (...) {
    error = std::current_exception();
  }
  const bool session_failed = failure.any;
  stop_sessions(error != nullptr);
  if (!error && failure.any) error = std::make_exception_ptr(SessionFailed());
  for (const auto& s : sessions) result.rows += s->rows;
  bool decided = false;  // two-phase: every part is prepared, so the run commits

  // 4. All chunks are in: make them count together.
  if (!error) try {
      db::throw_if_interrupted();
      if (rename) {
        for (auto& s : sessions) exec_plain(*s->conn, "COMMIT");
        sessions.clear();
        sql_step([&] {
          pqxx::work tx(conn, "pgimport");
          // The name was free when the run started; someone may have taken it since.
          if (!db::exec_params(tx, "SELECT to_regclass($1)", target.sql_name)[0][0].is_null())
            throw JobError("table " + plan.table + " was created by someone else while pgimport loaded it", {},
                           "nothing was imported: the loaded rows were dropped; import into another table or "
                           "use --no-create to load the existing one");
          tx.exec("ALTER TABLE " + hidden_sql + " RENAME TO " + db::quote_ident(target.name));
          tx.commit();
        });
        hidden_created = false;
      } else {
        // Prepared in order 1..N and committed in order 1..N: after a crash --recover can tell
        // from the parts still prepared which way the run was decided (load_marks' resolve_run).
        for (int i = 0; i < n; ++i) {
          Session& s = *sessions[static_cast<std::size_t>(i)];
          const std::string gid = make_gid({run_, i + 1, n});
          exec_plain(*s.conn, "PREPARE TRANSACTION " + db::quote_literal(gid));
          s.gid = gid;
        }
        decided = true;
        for (int i = 0; i < n; ++i) {
          const std::string& gid = sessions[static_cast<std::size_t>(i)]->gid;
          try {
            exec_plain(conn, "COMMIT PREPARED " + db::quote_literal(gid));
          } catch (const Error& e) {
            throw JobError(fmt::format("could not commit part {} of {} of the load: {}", i + 1, n, e.what()), {},
                           "all parts are prepared and the load is decided: run pgimport --recover to commit the "
                           "rest (prepared transactions " +
                               make_gid({run_, i + 1, n}) + " ...)");
          }
          sessions[static_cast<std::size_t>(i)]->gid.clear();
        }
      }
    } catch (...) {
      error = std::current_exception();
    }
  if (error && decided) {
    unlock();  // --recover may take the run over now
    std::rethrow_exception(error);
  }
  if (error) {
    roll_back();
    // What the user hears: the interruption, the first session failure, or the reader's error.
    if (db::interrupted()) throw InterruptedError();
    if (session_failed) {
      try {
        std::rethrow_exception(failure.error);
      } catch (const db::CopyError& e) {
        const csv::LineMap none(0, 0);
        auto line_of = [&](std::uint64_t l) { return failure.lines.line_of(l); };
        if (conflict.load() == failure.session && e.copy_line()) {
          auto line = failure.lines.line_of(*e.copy_line());
          throw JobError(fmt::format("{}:{}: this record waits for a row another session of this import loaded: "
                                     "a duplicate key in the file (or another conflict between its rows)",
                                     plan.source, line ? std::to_string(*line) : std::string("?")),
                         {}, std::string("load with --jobs 1 to see the server's error for it; ") + kRolledBack);
        }
        throw_copy_error(e, plan.source, none, line_of);
      }
    }
    try {
      std::rethrow_exception(error);
    } catch (const csv::DataError& e) {
      throw_data_error(plan.source, e.line(), e.what(), e.hint(), true, e.column());
    }
  }
  sessions.clear();
  unlock();

  if (blank_lines > 0 && callbacks_.on_warning)
    callbacks_.on_warning(fmt::format("skipped {} blank line{}{} (the first at {}:{})", blank_lines,
                                      blank_lines == 1 ? "" : "s", plan.fields == 1 ? " before the header" : "",
                                      plan.source, first_blank));
  result.bytes = input_->consumed();
  if (input_->format() != compress::Format::none) {
    result.compression = std::string(compress::name(input_->format()));
    result.compressed_bytes = input_->raw_consumed();
  }
  result.seconds = seconds_since(started_);
  result.plan = std::move(plan);
  return result;
}

}  // namespace pgmonkey::transfer
