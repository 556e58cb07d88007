// pgimport --recover: commit or roll back a dead run's prepared parts, drop its hidden tables.
#include "transfer/recover_job.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "core/strings.hpp"
#include "db/quote.hpp"
#include "transfer/leftovers_query.hpp"

namespace pgmonkey::transfer {
namespace {

// The first line of libpq's "ERROR:  text\nHINT:  ..." without the severity prefix: our own hint
// replaces the server's.
std::string server_message(const pqxx::sql_error& e) {
  std::string s = core::trim(e.what());
  if (core::starts_with(s, "ERROR:  ")) s.erase(0, 8);
  return s.substr(0, s.find('\n'));
}

// The run's leftovers in `now`, or an empty run when nothing of it is left.
LeftoverRun current(const Leftovers& now, const LoadRun& run) {
  for (const auto& r : now.runs)
    if (r.run.pid == run.pid && r.run.started == run.started) return r;
  LeftoverRun gone;
  gone.run = run;
  return gone;
}

}  // namespace

std::string sql_for(const RecoverStep& step) {
  switch (step.action) {
    case RecoverAction::commit:
      return "COMMIT PREPARED " + db::quote_literal(step.gid);
    case RecoverAction::rollback:
      return "ROLLBACK PREPARED " + db::quote_literal(step.gid);
    case RecoverAction::drop:
      break;
  }
  return "DROP TABLE " + db::quote_qualified(step.schema, step.table);
}

namespace {

// Runs one step; fills status, error and hint.
void perform(db::Connection& conn, RecoverStepResult& r) {
  const bool prepared = r.step.action != RecoverAction::drop;
  try {
    if (prepared) {
      pqxx::nontransaction tx(conn, "recover");
      tx.exec(sql_for(r.step));
    } else {
      // A session still reading the table would make DROP wait for ever: give up after a while.
      pqxx::work tx(conn, "recover");
      tx.exec("SET LOCAL lock_timeout = '10s'");
      tx.exec(sql_for(r.step));
      tx.commit();
    }
    r.status = StepStatus::done;
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    const std::string state = db::sqlstate_of(e);
    // Finished meanwhile by someone else: undefined_object for a gid, undefined_table for a table.
    if (state == (prepared ? "42704" : "42P01")) {
      r.status = StepStatus::gone;
      return;
    }
    r.status = StepStatus::failed;
    r.error = server_message(e);
    const std::string as_owner =
        "run pgimport --recover as " + (r.step.owner.empty() ? "its owner" : r.step.owner) + " or as a superuser";
    if (state == "42501")
      r.hint = prepared ? "only the role that prepared a transaction or a superuser may finish it: " + as_owner
                        : "only the table's owner or a superuser may drop it: " + as_owner;
    else if (state == "55P03")
      r.hint = "another session is using the table; run pgimport --recover again when it is done";
    else
      r.hint = prepared ? std::string("finish it by hand with ") +
                              (r.step.action == RecoverAction::commit ? "COMMIT PREPARED" : "ROLLBACK PREPARED") + " " +
                              db::quote_literal(r.step.gid) + " once the cause is fixed"
                        : "drop it by hand once the cause is fixed";
  }
}

}  // namespace

const char* to_string(StepStatus s) {
  switch (s) {
    case StepStatus::done:
      return "done";
    case StepStatus::planned:
      return "planned";
    case StepStatus::gone:
      return "gone";
    case StepStatus::failed:
      return "failed";
    case StepStatus::skipped:
      return "skipped";
  }
  return "failed";
}

bool RecoverRunResult::resolved() const {
  if (found.alive) return false;
  if (!found.conflict.empty()) return false;
  for (const auto& s : steps)
    if (s.status == StepStatus::failed || s.status == StepStatus::skipped) return false;
  return true;
}

int RecoverResult::count(StepStatus status, RecoverAction action) const {
  int n = 0;
  for (const auto& r : runs)
    for (const auto& s : r.steps)
      if (s.status == status && s.step.action == action) ++n;
  return n;
}

int RecoverResult::unresolved() const {
  int n = 0;
  for (const auto& r : runs)
    if (!r.found.alive && !r.resolved()) ++n;
  return n;
}

int RecoverResult::alive() const {
  int n = 0;
  for (const auto& r : runs)
    if (r.found.alive) ++n;
  return n;
}

core::Json RecoverResult::to_json() const {
  auto runs_json = core::Json::array();
  for (const auto& r : runs) {
    auto steps_json = core::Json::array();
    for (const auto& s : r.steps) {
      auto step = core::Json::object();
      step.set("action", to_string(s.step.action));
      if (s.step.action == RecoverAction::drop)
        step.set("schema", s.step.schema).set("table", s.step.table);
      else
        step.set("gid", s.step.gid);
      step.set("owner", s.step.owner).set("sql", sql_for(s.step)).set("status", to_string(s.status));
      if (!s.error.empty()) step.set("error", s.error).set("hint", s.hint);
      steps_json.push(std::move(step));
    }
    auto prepared = core::Json::array();
    for (const auto& p : r.found.parts) {
      auto o = core::Json::object();
      o.set("gid", p.gid).set("part", p.part).set("owner", p.owner);
      prepared.push(std::move(o));
    }
    auto tables = core::Json::array();
    for (const auto& t : r.found.tables) {
      auto o = core::Json::object();
      o.set("schema", t.schema).set("table", t.name).set("owner", t.owner);
      tables.push(std::move(o));
    }
    const bool dead = !r.found.alive;
    auto run = core::Json::object();
    run.set("pid", r.found.run.pid)
        .set("started", r.found.run.started)
        .set("started_at", started_iso(r.found.run))
        .set("state", dead ? "dead" : "alive")
        .set("parts", r.found.part_count())
        .set("prepared", std::move(prepared))
        .set("hidden_tables", std::move(tables))
        .set("decision", !dead || !r.found.conflict.empty() ? core::Json()
                         : r.found.parts.empty()
                             ? core::Json("drop")
                             : core::Json(r.found.resolution() == Resolution::commit ? "commit" : "rollback"))
        .set("reason", dead ? r.found.reason() : "still running: its session holds the run's lock")
        .set("resolved", dead && r.resolved())
        .set("steps", std::move(steps_json));
    runs_json.push(std::move(run));
  }
  auto elsewhere = core::Json::array();
  for (const auto& [db, n] : other_databases) {
    auto o = core::Json::object();
    o.set("database", db).set("prepared", n);
    elsewhere.push(std::move(o));
  }
  auto j = core::Json::object();
  j.set("ok", unresolved() == 0)
      .set("database", database)
      .set("dry_run", dry_run)
      .set("runs", std::move(runs_json))
      .set("alive", alive())
      .set("unresolved", unresolved())
      .set("other_databases", std::move(elsewhere));
  return j;
}

RecoverResult RecoverJob::run(db::Connection& conn) {
  RecoverResult result;
  result.dry_run = dry_run_;
  db::translate_errors([&] {
    Leftovers found = read_leftovers(conn);
    result.database = found.database;
    result.other_databases = found.other_databases;
    for (auto& seen : found.runs) {
      RecoverRunResult r;
      r.found = seen;
      // Held until the run is finished: its coordinator is gone, and no other --recover can act on it meanwhile.
      if (!try_lock_run(conn, seen.run)) {
        r.found.alive = true;  // listed, never touched
        result.runs.push_back(std::move(r));
        continue;
      }
      // Read again under the lock: the run may have gone on (or finished) between the first read and
      // its end, and the decision must rest on what is there now.
      r.found = current(read_leftovers(conn), seen.run);
      const auto& run = r.found;
      bool failed = false;
      for (const auto& step : run.steps()) {
        r.steps.push_back({step, dry_run_ ? StepStatus::planned : StepStatus::skipped, {}, {}});
        if (!failed && !dry_run_) perform(conn, r.steps.back());
        failed = failed || r.steps.back().status == StepStatus::failed;
      }
      unlock_run(conn, run.run);
      result.runs.push_back(std::move(r));
    }
  });
  return result;
}

}  // namespace pgmonkey::transfer
