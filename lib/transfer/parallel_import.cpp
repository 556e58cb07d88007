// pgimport --jobs N for one file: the reader decodes and scans it once and cuts it into chunks
// that ParallelLoad's sessions COPY; the load commits through the coordinating session.
#include <fmt/format.h>

#include <chrono>

#include "core/error.hpp"
#include "db/cancel_on_signal.hpp"
#include "transfer/decompressing_source.hpp"
#include "transfer/import_errors.hpp"
#include "transfer/import_job.hpp"
#include "transfer/import_pump.hpp"
#include "transfer/reject_file.hpp"
#include "transfer/text_reader.hpp"

namespace pgmonkey::transfer {
ImportResult ImportJob::load_parallel(db::Connection& conn, const SessionOpener& open_session, ImportPlan plan,
                                      const Relation& target) {
  std::vector<csv::Record>().swap(facts_.sniffed.data);  // as in stream(): the plan is made
  ParallelLoad load(conn, open_session, run_, plan, target);
  std::unique_ptr<RejectFile> reject_file;
  if (!reject_path_.empty()) {
    reject_file = std::make_unique<RejectFile>(reject_path_, options_.force, plan.encoding, plan.source);
    load.keep_rejects(options_.max_errors, [&](std::vector<Rejected> all) {
      reject_file->set_header(reject_header_);
      for (const auto& r : all) reject_file->add(r);
      reject_file->commit();
      return "see " + reject_file->path() + " and " + reject_file->log_path() + "; ";
    });
  }
  try {
    load.start();
  } catch (...) {
    load.fail(std::current_exception(), plan.source);
  }
  ImportResult result = feed(load, std::move(plan));
  // The rejects are written before the rows count, as with one session: a reject file that cannot
  // be written fails the import instead of following a load that already happened.
  auto write_rejects = [&] {
    if (!reject_file) return;
    result.rejecting = true;
    std::vector<Rejected> all = load.take_rejects();
    result.rejected = all.size();
    if (all.empty()) return;
    reject_file->set_header(reject_header_);
    for (const auto& r : all) reject_file->add(r);
    reject_file->commit();
    result.reject_file = reject_file->path();
    result.reject_log = reject_file->log_path();
  };
  try {
    result.rows = load.commit(write_rejects);
  } catch (...) {
    load.fail(std::current_exception(), result.plan.source);
  }
  if (result.rejected > 0 && callbacks_.on_warning)
    callbacks_.on_warning(fmt::format("rejected {} of {} rows (see {})", result.rejected, result.rejected + result.rows,
                                      result.reject_file));
  result.seconds = seconds_since(started_);
  return result;
}

ImportResult ImportJob::feed(ParallelLoad& load, ImportPlan plan) {
  ImportResult result;
  auto target = std::make_shared<ChunkTarget>();
  target->source = plan.source;
  target->copy_sql =
      plan.method == LoadMethod::rename && !plan.load_copy_sql.empty() ? plan.load_copy_sql : plan.copy_sql;
  auto config = scanner_config(plan);
  const bool rejecting = !reject_path_.empty();
  if (rejecting) {
    target->rejecting = true;
    target->rescan = config;
    target->rescan.skip_header = false;
  }
  ChunkCutter cutter(options_.chunk_bytes, [&](Chunk&& c) {
    c.target = target;
    load.push(std::move(c));
  });
  try {
    config.hook = &cutter;
    config.set_aside_bad = rejecting;  // without --max-errors a bad record stops the load, as with one session
    csv::RecordScanner scanner(config);
    if (rejecting) cutter.collect_raw(&scanner, plan.dialect.line_ending);
    ImportChain chain = this->chain(scanner, cutter, plan);
    auto last_progress = Clock::now();
    auto report = [&](bool final) { report_progress(scanner, final); };
    run_chain(chain, pending_, status_, [&] {
      load.poll();
      if (Clock::now() - last_progress > std::chrono::milliseconds(100)) {
        last_progress = Clock::now();
        report(false);
      }
      return true;
    });
    cutter.finish(scanner.records());
    report(true);
    result.rows = scanner.records();
    warn_blank_lines(scanner, plan);
    reject_header_ = cutter.header();
  } catch (...) {
    reject_header_ = cutter.header();
    load.fail(std::current_exception(), plan.source);
  }
  return finish(std::move(result), std::move(plan));
}

}  // namespace pgmonkey::transfer
