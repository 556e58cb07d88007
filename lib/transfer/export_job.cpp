// The export job: catalog facts → plan → CopySource → Encoder → ByteSink → the file in place.
#include "transfer/export_job.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

#include <chrono>

#include "core/error.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "db/quote.hpp"
#include "transfer/compressing_sink.hpp"
#include "transfer/copy_session.hpp"
#include "transfer/export_stream.hpp"
#include "transfer/parallel_export.hpp"

namespace pgmonkey::transfer {
namespace {

using db::ReadOnlySnapshot;

constexpr std::size_t kFlushBytes = 256 * 1024;

// A read-only transaction that cannot end has still delivered its rows, but the session is
// gone (killed backend, lost network): report it as the lost connection it is.
void end_snapshot(pqxx::dbtransaction& tx) {
  try {
    tx.commit();
  } catch (const pqxx::in_doubt_error&) {
    throw JobError("lost the connection to the server while ending the export's transaction", {},
                   "the server closed the session (restart, crash, or pg_terminate_backend)");
  }
}

// --dry-run: the plan as statements, per session; nothing is opened or written.
ExportResult dry_run(pqxx::dbtransaction& tx, const ExportRequest& req, const ExportPlan& plan, bool parallel) {
  ExportResult r;
  r.dry_run = true;
  r.table = plan.source.schema + "." + plan.source.table;
  r.output = req.output;
  r.encoding = plan.encoding_shown;
  if (req.compression != compress::Format::none) r.compression = std::string(compress::name(req.compression));
  r.jobs = parallel ? plan.jobs : 1;
  r.method = parallel ? plan.method() : "single";
  r.jobs_note = plan.jobs_note;
  const std::string begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  r.statements.push_back(begin);
  if (!parallel) {
    r.statements.push_back(plan.copy_sql);
  } else {
    const std::string table = db::quote_qualified(plan.source.schema, plan.source.table);
    r.statements.push_back("LOCK TABLE " + table + " IN ACCESS SHARE MODE");
    r.statements.push_back("SELECT pg_catalog.pg_export_snapshot()");
    const std::string others = plan.jobs == 2 ? "session 2" : "sessions 2 to " + std::to_string(plan.jobs);
    r.statements.push_back("-- " + others + ": " + begin + "; SET TRANSACTION SNAPSHOT '...'; LOCK TABLE " + table +
                           " IN ACCESS SHARE MODE NOWAIT");
    const auto& ranges = plan.range_sql;
    r.statements.push_back("-- each session takes the next of " + std::to_string(ranges.size()) +
                           " block ranges; the writer puts them in block order:");
    // A big table has thousands: the first two and the last show the pattern.
    if (ranges.size() <= 5) {
      r.statements.insert(r.statements.end(), ranges.begin(), ranges.end());
    } else {
      r.statements.insert(r.statements.end(), ranges.begin(), ranges.begin() + 2);
      r.statements.push_back("-- ... " + std::to_string(ranges.size() - 3) + " more ranges ...");
      r.statements.push_back(ranges.back());
    }
  }
  r.statements.push_back("COMMIT");
  end_snapshot(tx);
  return r;
}

ExportResult export_in_snapshot(db::Connection& conn, const ExportRequest& req, const Callbacks& callbacks,
                                const SessionOpener& open_session) {
  auto t0 = Clock::now();
  // 1. Facts and plan, inside the snapshot the data comes from.
  ReadOnlySnapshot tx(conn, "pgexport");
  csv::check_dialect(req.dialect);  // usage errors before any catalog query
  const ExportPlan plan = plan_export(req, read_export_facts(tx, req));
  const bool parallel = !plan.range_sql.empty() && open_session;
  if (req.dry_run) return dry_run(tx, req, plan, parallel);
  if (parallel) lock_for_ranges(tx, plan.source, false);
  // 2. The output: a temp file next to the target (or stdout, a device, a FIFO).
  // Compressed on a thread of its own when the request names a format.
  auto out = make_output(req.output, req.force, req.compression, req.compression_level);
  ByteSink& sink = *out;
  // 3. The chain.
  OutputEncoder encoder(plan.dialect.line_ending == csv::LineEnding::crlf, plan.dialect.quote.value, plan.encoding);
  db::throw_if_interrupted();  // a signal between the catalog queries cancelled nothing
  Progress progress;
  if (plan.estimated_bytes > 0) progress.total_bytes = plan.estimated_bytes;
  progress.total_is_estimate = true;
  auto report = [&](std::uint64_t rows, bool final) {
    if (!callbacks.on_progress) return;
    progress.rows = rows;
    progress.bytes = sink.written();
    progress.seconds = seconds_since(t0);
    progress.final = final;
    callbacks.on_progress(progress);
  };
  ExportResult result;
  if (parallel) {
    // The other sessions read this transaction's snapshot; it stays open until the end.
    auto id = db::exec_params(tx, "SELECT pg_catalog.pg_export_snapshot()");
    std::string buffer = encoder.preamble();
    auto write = [&](std::string_view chunk, std::uint64_t rows) {
      encoder.encode(chunk, buffer);
      if (buffer.size() < kFlushBytes) return;
      sink.write(buffer.data(), buffer.size());
      buffer.clear();
      report(rows, false);
    };
    result.rows = run_block_ranges(conn, id[0][0].c_str(), plan, open_session, write, db::throw_if_interrupted);
    encoder.finish(buffer);
    if (!buffer.empty()) sink.write(buffer.data(), buffer.size());
    report(result.rows, true);
  } else {
    CopyOutSource source(conn.raw(), plan.copy_sql);
    result.rows = run_export_chain(source, encoder, sink, plan.dialect.header.value, db::throw_if_interrupted, report);
  }
  // 4. End the snapshot, then put the file in place: the last step that can fail is the rename.
  db::throw_if_interrupted();
  end_snapshot(tx);
  db::throw_if_interrupted();
  sink.commit();
  result.table = plan.source.schema + "." + plan.source.table;
  result.output = req.output;
  result.encoding = plan.encoding_shown;
  result.bytes = sink.written();
  if (req.compression != compress::Format::none) {
    result.compression = std::string(compress::name(req.compression));
    result.compressed_bytes = sink.stored();
  }
  result.jobs = parallel ? plan.jobs : 1;
  result.method = parallel ? plan.method() : "single";
  result.jobs_note = plan.jobs_note;
  result.seconds = seconds_since(t0);
  return result;
}

}  // namespace

ExportFacts read_export_facts(pqxx::transaction_base& tx, const ExportRequest& req) {
  ExportFacts f;
  f.relation = find_relation(tx, parse_table_name(req.table, UnquotedParts::anything));
  auto enc = db::exec_params(tx, "SELECT pg_catalog.pg_encoding_to_char(pg_catalog.pg_char_to_encoding($1))",
                             requested_encoding(req).server_encoding);
  f.server_encoding = enc[0][0].c_str();
  if (!f.relation.exists) return f;
  auto r = db::exec_params(tx,
                           "SELECT c.reltuples::float8, pg_catalog.pg_table_size(c.oid)::float8, "
                           "pg_catalog.pg_relation_size(c.oid)::int8, pg_catalog.current_setting('block_size')::int8, "
                           "pg_catalog.current_setting('server_version_num')::int4 FROM pg_catalog.pg_class c "
                           "WHERE c.oid = $1::oid",
                           f.relation.oid);
  f.reltuples = r[0][0].as<double>();
  f.table_bytes = r[0][1].as<double>();
  // Read inside the snapshot: every row it sees lies in a block below this size.
  f.block_size = r[0][3].as<std::uint64_t>();
  f.relation_blocks = f.block_size > 0 ? r[0][2].as<std::uint64_t>() / f.block_size : 0;
  f.server_version = r[0][4].as<int>();
  auto stats =
      db::exec_params(tx, "SELECT attname, avg_width FROM pg_catalog.pg_stats WHERE schemaname = $1 AND tablename = $2",
                      f.relation.schema, f.relation.name);
  for (const auto& row : stats) f.avg_width.emplace_back(row[0].c_str(), row[1].as<double>());
  return f;
}

std::uint64_t run_export_chain(CopySource& source, Encoder& encoder, ByteSink& sink, bool header,
                               const std::function<void()>& between,
                               const std::function<void(std::uint64_t rows, bool final)>& on_flush) {
  std::string buffer;
  buffer.reserve(kFlushBytes * 2 + 64 * 1024);
  buffer = encoder.preamble();
  std::string_view chunk;
  std::uint64_t chunks = 0;  // one per row, plus the header
  while (source.next(chunk)) {
    between();
    encoder.encode(chunk, buffer);
    ++chunks;
    if (buffer.size() >= kFlushBytes) {
      sink.write(buffer.data(), buffer.size());
      buffer.clear();
      on_flush(chunks - (header ? 1 : 0), false);
    }
  }
  encoder.finish(buffer);
  if (!buffer.empty()) sink.write(buffer.data(), buffer.size());
  on_flush(source.rows(), true);
  return source.rows();
}

core::Json ExportResult::to_json() const {
  auto j = core::Json::object();
  j.set("table", table)
      .set("output", output)
      .set("encoding", encoding)
      .set("rows", static_cast<unsigned long long>(rows))
      .set("bytes", static_cast<unsigned long long>(bytes))
      .set("compression", compression.empty() ? core::Json() : core::Json(compression))
      .set("compressed_bytes", static_cast<unsigned long long>(compressed_bytes))
      .set("jobs", jobs)
      .set("method", method)
      .set("dry_run", dry_run)
      .set("seconds", seconds);
  return j;
}

std::string default_output_for(const std::string& table) {
  std::string name = parse_table_name(table, UnquotedParts::anything).table_as_written;
  for (char& c : name)
    if (c == '/') c = '_';
  return name + ".csv";
}

ExportResult run_export(db::Connection& conn, const ExportRequest& request, const Callbacks& callbacks,
                        const SessionOpener& open_session) {
  db::CancelOnSignal guard(conn.raw(), db::SigPipe::ignore);
  try {
    ExportResult result;
    db::translate_errors([&] { result = export_in_snapshot(conn, request, callbacks, open_session); });
    return result;
  } catch (const Error&) {
    // A cancel we asked for comes back as a query error; report it as what it was.
    if (db::interrupted()) throw InterruptedError();
    throw;
  }
}

}  // namespace pgmonkey::transfer
