// Several files into one table: sniff each, plan each in the transaction, then send each.
#include "transfer/import_files_job.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pqxx/transaction>

#include <chrono>
#include <ctime>
#include <set>
#include <utility>

#include "core/error.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "transfer/import_errors.hpp"

namespace pgmonkey::transfer {
std::uint64_t ImportFilesResult::rows() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.rows;
  return n;
}

core::Json ImportFilesResult::to_json() const {
  auto list = core::Json::array();
  std::uint64_t bytes = 0;
  for (const auto& f : files) {
    bytes += f.bytes;
    auto j = core::Json::object();
    j.set("source", f.plan.source)
        .set("rows", f.rows)
        .set("bytes", f.bytes)
        .set("compression", f.compression.empty() ? core::Json() : core::Json(f.compression))
        .set("compressed_bytes", f.compressed_bytes)
        .set("encoding", f.plan.encoding.name)
        .set("plan", f.plan.to_json());
    list.push(std::move(j));
  }
  auto j = core::Json::object();
  j.set("table", table)
      .set("dry_run", dry_run)
      .set("created", !files.empty() && files.front().plan.create && !dry_run)
      .set("rows", rows())
      .set("bytes", bytes)
      .set("seconds", seconds)
      .set("rows_per_second", seconds > 0 ? static_cast<double>(rows()) / seconds : 0.0)
      .set("jobs", jobs)
      .set("method", to_string(method))
      .set("files", std::move(list));
  return j;
}

std::vector<std::string> ImportFilesResult::summary() const {
  std::vector<std::string> lines;
  for (const auto& f : files) lines.push_back(f.summary());
  auto n = rows();
  double rate = seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
  if (dry_run)
    lines.push_back(fmt::format("checked {} row{} from {} files for {}; nothing was imported", n, n == 1 ? "" : "s",
                                files.size(), table));
  else
    lines.push_back(fmt::format(
        "imported {} row{} from {} files into {} {} in {:.2f} s ({:.0f} rows/s)", n, n == 1 ? "" : "s", files.size(),
        table,
        jobs > 1 ? fmt::format("with {} sessions ({})", jobs, to_string(method)) : std::string("in one transaction"),
        seconds, rate));
  return lines;
}

ImportFilesJob::ImportFilesJob(ImportOptions options, std::vector<std::string> files, std::string connection_config,
                               ImportCallbacks callbacks)
    : options_(std::move(options)),
      files_(std::move(files)),
      connection_config_(std::move(connection_config)),
      callbacks_(std::move(callbacks)) {
  if (options_.write_import_config) throw UsageError("--write-import-config takes one file", "run it once per file");
  if (options_.jobs > 1 && options_.max_errors > 0)
    throw UsageError("--max-errors with --jobs takes one file",
                     "import the files one by one, or several with --jobs 1; nothing was sent");
  std::set<std::pair<dev_t, ino_t>> seen;
  for (const auto& f : files_) {
    if (f == "-")
      throw UsageError("standard input (-) cannot be one of several files", "give it alone, or save it to a file");
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0 && !seen.insert({st.st_dev, st.st_ino}).second)
      throw UsageError(f + " is given twice", "name each file once; its rows would be imported twice");
  }
  // Every file read and sniffed now, before any connection: a bad file fails first.
  // Its warnings (an uncertain header, a guessed encoding) are said here, once, naming the file.
  for (std::size_t i = 0; i < files_.size(); ++i) {
    ImportCallbacks first;
    if (callbacks_.on_warning)
      first.on_warning = [this, i](const std::string& w) { callbacks_.on_warning(files_[i] + ": " + w); };
    sizes_.push_back(open(i, first).facts().size);
  }
}

ImportJob ImportFilesJob::open(std::size_t i, const ImportCallbacks& callbacks, std::uint64_t rejected_before) const {
  ImportOptions o = options_;
  o.file = files_[i];
  o.rejected_before = rejected_before;
  return ImportJob(std::move(o), connection_config_, callbacks);
}

void ImportFilesJob::follow(ImportCallbacks& cb, std::size_t i, Clock::time_point t0, const std::uint64_t& bytes_before,
                            const std::uint64_t& rows_before) const {
  std::optional<std::uint64_t> total = 0;
  for (const auto& s : sizes_) total = s && total ? std::optional<std::uint64_t>(*total + *s) : std::nullopt;
  const bool last = i + 1 == files_.size();
  if (callbacks_.on_progress)
    cb.on_progress = [this, &bytes_before, &rows_before, t0, total, last](const Progress& p) {
      Progress all = p;
      all.bytes += bytes_before;
      all.total_bytes = total;
      all.rows += rows_before;
      all.seconds = seconds_since(t0);
      all.final = p.final && last;
      callbacks_.on_progress(all);
    };
}

ImportFilesResult ImportFilesJob::run(db::Connection& conn, const SessionOpener& open_session) {
  if (options_.jobs > 1 && open_session && !options_.dry_run) return run_parallel(conn, open_session);
  return run_single(conn);
}

// --jobs N: the first file decides the method (as one file would); the sessions load every
// file's chunks in turn and commit together.
ImportFilesResult ImportFilesJob::run_parallel(db::Connection& conn, const SessionOpener& open_session) {
  const auto t0 = Clock::now();
  const LoadRun run{static_cast<long long>(::getpid()), static_cast<long long>(std::time(nullptr))};
  const TableName name = parse_table_name(options_.table);
  ImportCallbacks silent;
  ImportFilesResult result;
  Relation target;
  ImportPlan first;
  std::vector<ImportPlan> plans;
  auto say = [&](const ImportPlan& plan) {
    for (const auto& w : plan.warnings)
      if (callbacks_.on_warning) callbacks_.on_warning(plan.source + ": " + w);
    if (callbacks_.on_plan) callbacks_.on_plan(plan);
  };
  {
    db::CancelOnSignal cancel_on_signal(conn.raw());
    pqxx::work tx(conn, "pgimport");
    target = sql_step([&] { return find_relation(tx, name); });
    ImportJob job = open(0, silent);
    first = plan_import(job.options(), job.facts(), target);
    SessionFacts sessions;
    sessions.jobs = options_.jobs;
    if (target.exists && !first.truncate)
      sessions.max_prepared = sql_step([&] { return tx.exec("SHOW max_prepared_transactions")[0][0].as<long>(); });
    plan_sessions(first, target, sessions);
    if (first.jobs == 1) {
      // One session after all: the warning says why, the one-transaction path does the rest.
      if (callbacks_.on_warning && !first.warnings.empty()) callbacks_.on_warning(first.warnings.back());
    } else if (first.method == LoadMethod::rename) {
      plan_hidden_table(first, job.options(), job.facts(), target, run);
    } else {
      // An existing table: every file planned against it now, before a session opens.
      plans.push_back(first);
      for (std::size_t i = 1; i < files_.size(); ++i) {
        ImportJob other = open(i, silent);
        ImportPlan plan = plan_import(other.options(), other.facts(), target);
        plan.truncate = false;
        plan.jobs = first.jobs;
        plan.method = first.method;
        plans.push_back(std::move(plan));
      }
    }
  }
  if (first.jobs == 1) return run_single(conn);
  result.table = first.table;
  result.jobs = first.jobs;
  result.method = first.method;

  ParallelLoad load(conn, open_session, run, first, target);
  try {
    load.start();
    if (first.method == LoadMethod::rename) {
      // The other files are matched by name to the table the first one created, as in one transaction.
      plans.push_back(first);
      Relation hidden;
      {
        pqxx::work tx(conn, "pgimport");
        TableName hidden_name;
        hidden_name.schema = hidden_name.schema_as_written = target.schema;
        hidden_name.table = hidden_name.table_as_written = hidden_table_name(target.name, run);
        hidden = sql_step([&] { return find_relation(tx, hidden_name); });
      }
      for (std::size_t i = 1; i < files_.size(); ++i) {
        ImportJob other = open(i, silent);
        ImportPlan plan = plan_import(other.options(), other.facts(), hidden);
        plan.table = first.table;
        plan.jobs = first.jobs;
        plan.method = first.method;
        plans.push_back(std::move(plan));
      }
    }
  } catch (...) {
    load.fail(std::current_exception(), files_.front());
  }
  for (const auto& plan : plans) say(plan);

  std::uint64_t bytes_before = 0, rows_before = 0;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    ImportCallbacks cb;
    bool reading = false;  // the sniffing warnings were said before connecting
    if (callbacks_.on_warning)
      cb.on_warning = [&](const std::string& w) {
        if (reading) callbacks_.on_warning(w);
      };
    follow(cb, i, t0, bytes_before, rows_before);
    ImportJob job = open(i, cb);
    reading = true;
    ImportResult r = job.feed(load, std::move(plans[i]));
    bytes_before += r.compression.empty() ? r.bytes : r.compressed_bytes;
    rows_before += r.rows;
    result.files.push_back(std::move(r));
  }
  try {
    load.commit();
  } catch (...) {
    load.fail(std::current_exception(), files_.back());
  }
  result.seconds = seconds_since(t0);
  return result;
}

ImportFilesResult ImportFilesJob::run_single(db::Connection& conn) {
  const auto t0 = Clock::now();
  db::CancelOnSignal cancel_on_signal(conn.raw());
  pqxx::work tx(conn, "pgimport");
  const TableName name = parse_table_name(options_.table);
  ImportFilesResult result;
  result.dry_run = options_.dry_run;

  // 1. Every file planned against the table before a row is sent. The first file creates the
  // table when it is missing (rolled back with the rest on any error, a dry run included), the
  // others are matched to it by name.
  std::vector<ImportPlan> plans;
  ImportCallbacks silent;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    ImportJob job = open(i, silent);
    Relation target = sql_step([&] { return find_relation(tx, name); });
    ImportPlan plan = plan_import(job.options(), job.facts(), target);
    if (i > 0) plan.truncate = false;
    for (const auto& w : plan.warnings)
      if (callbacks_.on_warning) callbacks_.on_warning(plan.source + ": " + w);
    if (callbacks_.on_plan) callbacks_.on_plan(plan);
    if (plan.create) sql_step([&] { tx.exec(plan.ddl); });
    if (plan.truncate && !options_.dry_run) sql_step([&] { tx.exec(plan.truncate_sql); });
    result.table = plan.table;
    plans.push_back(std::move(plan));
  }

  // 2. The rows, file after file; the progress counts the (compressed) bytes of all files.
  std::uint64_t bytes_before = 0, rows_before = 0, rejected_before = 0;  // --max-errors is for the whole run
  for (std::size_t i = 0; i < files_.size(); ++i) {
    ImportCallbacks cb;
    bool reading = false;  // the sniffing warnings were said before connecting
    if (callbacks_.on_warning)
      cb.on_warning = [&](const std::string& w) {
        if (reading) callbacks_.on_warning(w);
      };
    follow(cb, i, t0, bytes_before, rows_before);
    ImportJob job = open(i, cb, rejected_before);
    reading = true;
    ImportResult r = job.send(conn, std::move(plans[i]));
    bytes_before += r.compression.empty() ? r.bytes : r.compressed_bytes;
    rows_before += r.rows;
    rejected_before += r.rejected;
    result.files.push_back(std::move(r));
  }
  // 3. Commit (a dry run rolls back, the table it created included).
  if (!options_.dry_run) {
    db::throw_if_interrupted();
    sql_step([&] { tx.commit(); });
  }
  result.seconds = seconds_since(t0);
  return result;
}

}  // namespace pgmonkey::transfer
