// Rendering pgimport --recover's result, and the stale-leftover warning of a normal import.
#include "pgimport/recover_command.hpp"

#include <fmt/format.h>

#include "common/output.hpp"
#include "db/quote.hpp"
#include "transfer/leftovers_query.hpp"
#include "transfer/recover_job.hpp"

namespace pgmonkey::app::pgimport {
namespace {

using transfer::RecoverAction;
using transfer::StepStatus;

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string status_text(StepStatus s) {
  switch (s) {
    case StepStatus::done:
      return "done";
    case StepStatus::planned:
      return "would run (dry run)";
    case StepStatus::gone:
      return "already gone (finished by another session)";
    case StepStatus::failed:
      return "failed";
    case StepStatus::skipped:
      return "skipped (an earlier step failed)";
  }
  return "failed";
}

void print_run(const transfer::RecoverRunResult& r) {
  const auto& run = r.found;
  if (run.alive) {
    out("run " + transfer::describe_run(run.run) + ": still running (its session holds the run's lock); left alone");
    for (const auto& p : run.parts)
      out("  prepared transaction " + db::quote_literal(p.gid) + " (owner " + p.owner + ")");
    for (const auto& t : run.tables)
      out("  hidden table " + db::quote_qualified(t.schema, t.name) + " (owner " + t.owner + ")");
    return;
  }
  out("run " + transfer::describe_run(run.run) + ", interrupted: " + run.reason());
  for (const auto& s : r.steps) {
    std::string line = "  " + transfer::sql_for(s.step) + ": " + status_text(s.status);
    if (s.status == StepStatus::failed) line += ": " + s.error;
    out(line);
  }
}

void report_failures(const transfer::RecoverResult& result) {
  for (const auto& r : result.runs) {
    if (r.found.alive) continue;
    if (!r.found.conflict.empty())
      error("cannot recover run " + transfer::describe_run(r.found.run), {}, r.found.conflict);
    for (const auto& s : r.steps)
      if (s.status == StepStatus::failed) error("cannot " + transfer::sql_for(s.step) + ": " + s.error, {}, s.hint);
  }
}

void print_summary(const transfer::RecoverResult& result) {
  for (const auto& [database, n] : result.other_databases)
    out(
        fmt::format("database {} has {} left by parallel pgimport runs: connect to it (-d {}) and run "
                    "pgimport --recover there",
                    database, plural(n, "prepared transaction", "prepared transactions"), database));
  if (result.runs.empty()) {
    out("nothing to recover: no prepared transactions or hidden tables of interrupted parallel pgimport runs in "
        "database " +
        result.database);
    return;
  }
  const auto done = result.dry_run ? StepStatus::planned : StepStatus::done;
  const bool dry = result.dry_run;
  std::string line = fmt::format(
      "{} {}, {} {}, {} {}", dry ? "would commit" : "committed",
      plural(result.count(done, RecoverAction::commit), "prepared transaction", "prepared transactions"),
      dry ? "roll back" : "rolled back", result.count(done, RecoverAction::rollback), dry ? "drop" : "dropped",
      plural(result.count(done, RecoverAction::drop), "hidden table", "hidden tables"));
  if (result.alive()) line += "; " + plural(result.alive(), "running run", "running runs") + " left alone";
  if (result.unresolved()) line += "; " + plural(result.unresolved(), "run", "runs") + " could not be recovered";
  out(line);
  if (result.dry_run) out("dry run: nothing was changed");
}

}  // namespace

int run_recover(const CommonOptions& common, bool dry_run) {
  const auto cfg = load_config(common);
  auto conn = db::connect(cfg, "pgimport");
  db::apply_session_settings(*conn, db::bulk_session_settings(cfg));  // as an import would run
  const auto result = transfer::RecoverJob(dry_run).run(*conn);
  if (common.json()) {
    out(result.to_json().dump());
  } else {
    for (const auto& r : result.runs) print_run(r);
    print_summary(result);
  }
  report_failures(result);
  return result.unresolved() ? static_cast<int>(ExitCode::failed) : 0;
}

void warn_about_leftovers(db::Connection& conn) {
  try {
    const auto warning = transfer::leftover_warning(transfer::find_leftovers(conn).runs);
    if (!warning.empty()) warn(warning);
  } catch (const std::exception& e) {
    debug(std::string("could not look for leftovers of interrupted parallel imports: ") + e.what());
  }
}

}  // namespace pgmonkey::app::pgimport
