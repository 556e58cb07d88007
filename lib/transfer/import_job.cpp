// The import pipeline: 1. sidecar → 2. encoding → 3. sniff (no server), then 4. plan against the
// catalog → 5. stream through ByteSource → Decoder → RecordScanner → CopySink → 6. commit, all
// in one transaction.
#include "transfer/import_job.hpp"

#include <fmt/format.h>
#include <pqxx/transaction>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <ctime>
#include <fstream>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "csv/record_scanner.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "encoding/utf8.hpp"
#include "transfer/copy_session.hpp"
#include "transfer/decompressing_source.hpp"
#include "transfer/import_errors.hpp"
#include "transfer/import_pump.hpp"
#include "transfer/input_stream.hpp"
#include "transfer/reject_file.hpp"
#include "transfer/reject_sink.hpp"
#include "transfer/text_reader.hpp"

namespace pgmonkey::transfer {
namespace {

constexpr std::size_t kMaxSniffBytes = 8u << 20;  // sample cap while looking for 100 records

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::size_t count_breaks(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\r' || (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))) ++n;
  return n;
}

std::string human_bytes(std::uint64_t b) {
  if (b < 1024 * 1024) return fmt::format("{:.1f} kB", static_cast<double>(b) / 1e3);
  return fmt::format("{:.1f} MB", static_cast<double>(b) / 1e6);
}

// What the sniffer cannot see in the first line but must not let into the plan: a NUL byte
// (/dev/zero is not "empty") and invalid UTF-8 (a header would reach the server as broken
// names). Later lines are the record scanner's, which names them while streaming.
void check_first_line(std::string_view sample, bool whole, const FileFacts& f) {
  auto eol = sample.find_first_of("\r\n");
  std::string_view first = sample.substr(0, eol);
  bool cut = eol == std::string_view::npos && !whole;
  if (first.find('\0') != std::string_view::npos)
    throw_data_error(f.source, 1, "NUL byte (0x00) in the data",
                     "PostgreSQL text cannot hold NUL: is this a CSV file?; nothing was imported", false);
  if (encoding::find_invalid_utf8(first, cut) != std::string_view::npos)
    throw_data_error(f.source, 1, "invalid UTF-8 byte sequence",
                     std::string(f.encoding.user_set ? "check --encoding (or the import config's encoding)"
                                                     : "if the file is in another encoding, name it with --encoding") +
                         "; nothing was imported",
                     false);
}

}  // namespace

core::Json ImportResult::to_json() const {
  auto j = core::Json::object();
  j.set("table", plan.table)
      .set("source", plan.source)
      .set("dry_run", dry_run)
      .set("created", plan.create && !dry_run)
      .set("rows", rows)
      .set("bytes", bytes)
      .set("compression", compression.empty() ? core::Json() : core::Json(compression))
      .set("compressed_bytes", compressed_bytes)
      .set("seconds", seconds)
      .set("rows_per_second", seconds > 0 ? static_cast<double>(rows) / seconds : 0.0)
      .set("encoding", plan.encoding.name)
      .set("jobs", plan.jobs)
      .set("method", to_string(plan.method))
      .set("plan", plan.to_json());
  if (rejecting) {
    j.set("rejected", rejected);
    if (!reject_file.empty()) j.set("reject_file", reject_file).set("reject_log", reject_log);
  }
  return j;
}

std::string ImportResult::summary() const {
  std::string size = human_bytes(bytes);
  if (!compression.empty()) size += " from " + human_bytes(compressed_bytes) + " " + compression;
  double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0.0;
  if (dry_run)  // the values themselves are only checked by the server, on a real import
    return fmt::format(
        "checked {} row{} ({}) from {} for {}: encoding and CSV structure only, not the values; "
        "nothing was imported",
        rows, rows == 1 ? "" : "s", size, plan.source, plan.table);
  const std::string sessions =
      plan.jobs > 1 ? fmt::format(" with {} sessions ({})", plan.jobs, to_string(plan.method)) : std::string();
  return fmt::format("imported {} row{} ({}) from {} into {}{} in {:.2f} s ({:.0f} rows/s)", rows, rows == 1 ? "" : "s",
                     size, plan.source, plan.table, sessions, seconds, rate);
}

bool needs_connection(const ImportOptions& o) {
  return !o.write_import_config;
}

ImportJob::ImportJob(ImportOptions options, const std::string& connection_config, ImportCallbacks callbacks)
    : options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      started_(Clock::now()),
      run_{static_cast<long long>(::getpid()), static_cast<long long>(std::time(nullptr))} {
  const auto& o = options_;
  auto warn = [&](const std::string& w) {
    if (callbacks_.on_warning) callbacks_.on_warning(w);
  };
  if (o.table.empty() && !o.write_import_config)
    throw UsageError("--table is required", "pgimport -c CONN.yaml --table [schema.]table FILE");
  if (!o.table.empty()) (void)parse_table_name(o.table);  // a bad name is a usage error before any work
  if (o.dialect.null_string && o.empty_as_null)
    throw UsageError("--empty-as-null works with the default NULL (an unquoted empty field), not with --null",
                     "with --null STR, write STR for NULL in the file; quoted STR stays text");
  if (o.max_errors == 0 && (!o.reject_file.empty() || o.force))
    throw UsageError("--reject-file and --force go with --max-errors N",
                     "pgimport --max-errors 100 --reject-file bad.csv ...");
  if (o.jobs == 0 || o.jobs > 64) throw UsageError("--jobs takes 1 to 64 sessions");
  if (o.max_errors > 0 && !o.write_import_config) {
    reject_path_ = o.reject_file.empty() ? default_reject_path(o.file) : o.reject_file;
    if (reject_path_.empty())
      throw UsageError("--max-errors on standard input needs --reject-file PATH",
                       "the rejected records are written there; nothing was sent");
  }

  // 1. The sidecar.
  sidecar_path_ = o.import_config;
  if (sidecar_path_.empty() && !o.write_import_config) sidecar_path_ = find_sidecar(o.file, connection_config);
  bool exists = !sidecar_path_.empty() && file_exists(sidecar_path_);
  if (sidecar_path_.empty() && o.file != "-") {
    sidecar_path_ = sidecar_path(o.file);  // where --write-import-config writes
    exists = o.write_import_config && file_exists(sidecar_path_);
  }
  std::optional<Sidecar> side;
  if (o.write_import_config) {
    if (sidecar_path_.empty()) throw UsageError("--write-import-config needs a file name or --import-config PATH");
    if (exists)
      throw UsageError("import config " + sidecar_path_ + " already exists; not overwriting it",
                       "review or delete it; pgimport uses it when it exists");
  } else if (exists) {
    side = load_sidecar(sidecar_path_, "import config");
    for (const auto& w : side->warnings) warn(w);
    facts_.sidecar = sidecar_path_;
  } else if (!o.import_config.empty()) {
    throw ConfigError("import config " + o.import_config + " does not exist");
  }
  csv::SniffOptions sniff;
  sniff.given = given_dialect(o.dialect, side ? &*side : nullptr);
  sniff.infer_types = o.infer_types;
  sniff.nulls.null_string = o.dialect.null_string.value_or("");
  sniff.nulls.empty_as_null = o.empty_as_null;
  for (const auto& raw : o.force_not_null)
    for (const auto& n : core::split(raw, ',')) sniff.nulls.force_not_null.push_back(core::trim(n));
  if (sniff.given.delimiter.given() && sniff.given.quote.given()) csv::check_dialect(sniff.given);
  facts_.create = o.create.value_or(side && side->auto_create_table ? *side->auto_create_table : true);
  facts_.lowercase = o.lowercase.value_or(side && side->enforce_lowercase ? *side->enforce_lowercase : true);

  // 2. The encoding, from the first bytes.
  input_ = open_decompressing(o.file);  // gzip, zstd, bzip2, xz: told by their magic bytes
  reopen_ = decompressing_opener(o.file);
  facts_.source = input_->name();
  facts_.size = input_->size();
  std::string head;
  bool head_whole = !input_->read_until(head, kHeadBytes);
  const auto& named = sniff.given.encoding;
  facts_.encoding =
      named.given() ? encoding::user_encoding(named.value, head) : encoding::detect_encoding(head, head_whole);
  if (named.source == csv::Source::sidecar) facts_.encoding.named_in = sidecar_path_;
  if (!facts_.encoding.warning.empty()) warn(facts_.encoding.warning);
  decoder_ = std::make_unique<TextReader>(*input_, std::move(head), facts_.encoding);
  facts_.transcoding = decoder_->transcoding();
  if (!reject_path_.empty()) {
    if (!reencodes_exactly(facts_.encoding))
      throw UsageError("--max-errors cannot write rejects in " + facts_.encoding.name + " byte for byte",
                       "convert the file to UTF-8 first (iconv -f " + facts_.encoding.name + " -t UTF-8)");
    if (!o.dry_run) RejectFile check(reject_path_, o.force, facts_.encoding, facts_.source);
  }
  try {
    sniff_sample(sniff);
  } catch (const InterruptedError&) {
    throw;
  } catch (const Error&) {
    throw_if_damaged(*input_);
    throw;
  }
}

// 3. The dialect, sniffed on a decoded sample of at least 256 KiB or 100 records.
void ImportJob::sniff_sample(csv::SniffOptions& sniff) {
  auto warn = [&](const std::string& w) {
    if (callbacks_.on_warning) callbacks_.on_warning(w);
  };
  std::string& buf = pending_;
  std::size_t breaks = 0;  // counted as the sample grows, each byte once
  while (status_ == Decoder::Status::data &&
         (buf.size() < csv::kSniffSampleBytes || (breaks <= csv::kSniffMinRecords && buf.size() < kMaxSniffBytes))) {
    std::size_t from = buf.size();
    status_ = decoder_->read(buf, kChunkBytes);
    // A CR at the end of the previous piece was counted; an LF right after it is its pair.
    if (from > 0 && buf[from - 1] == '\r' && buf.size() > from && buf[from] == '\n') ++from;
    breaks += count_breaks(std::string_view(buf).substr(from));
  }
  const bool whole = status_ == Decoder::Status::end;
  check_first_line(buf, whole, facts_);
  if (auto sep = csv::take_excel_sep_line(buf)) {
    if (sep == sniff.given.quote.value && !sniff.given.delimiter.given())
      throw UsageError("the file's sep= line names the quote character as the delimiter",
                       "pass --quote with another character, or --delimiter");
    sniff.given.delimiter.offer(*sep, csv::Source::sep_line);  // never over a flag or the sidecar
  }
  auto& sniffed = facts_.sniffed;
  sniffed = csv::sniff(buf, whole, sniff);
  if (sniffed.empty && breaks > 0 && sniff.given.header.given() && !sniff.given.header.value) {
    // Only blank lines and --no-header: one column of NULLs, as COPY reads them.
    sniffed.empty = false;
    sniffed.field_count = 1;
    sniffed.types = {csv::ColumnType::text};
    sniffed.dialect.line_ending = buf[0] == '\r'
                                      ? (buf.size() > 1 && buf[1] == '\n' ? csv::LineEnding::crlf : csv::LineEnding::cr)
                                      : csv::LineEnding::lf;
  }
  if (sniffed.empty && status_ == Decoder::Status::data)
    throw_data_error(facts_.source, 1, fmt::format("no complete line in the first {} MB", kMaxSniffBytes >> 20),
                     "this is not a CSV file, or its first line is longer than that; nothing was imported", false);
  if (sniffed.empty) {
    if (status_ == Decoder::Status::invalid)
      throw_data_error(facts_.source, count_breaks(buf) + 1,
                       "invalid byte sequence for encoding " + facts_.encoding.name,
                       "name the file's encoding with --encoding", false);
    throw JobError(facts_.source + " is empty: no header and no rows", {}, "nothing was imported; check the file name");
  }
  if (sniffed.unterminated_quote_line)
    throw_data_error(facts_.source, static_cast<std::uint64_t>(sniffed.unterminated_quote_line),
                     "unterminated quoted field: the quote opened in this record is never closed",
                     "close the quote, or set another quote character with --quote", false);
  if (sniffed.header_uncertain)
    warn(std::string("could not tell from the data whether the first row is a header; assumed ") +
         (sniffed.dialect.header.value ? "it is" : "it is not") + ": pass --header or --no-header to be sure");
  csv::check_dialect(sniffed.dialect);  // --null against a detected delimiter: before connecting
}

ImportJob::~ImportJob() = default;

ImportResult ImportJob::write_config() {
  ImportResult result;
  auto& plan = result.plan;
  plan.source = facts_.source;
  plan.size = facts_.size;
  plan.encoding = facts_.encoding;
  plan.transcoding = facts_.transcoding;
  plan.dialect = facts_.sniffed.dialect;
  Sidecar out;
  out.has_headers = plan.dialect.header.value;
  out.auto_create_table = facts_.create;
  out.enforce_lowercase = facts_.lowercase;
  out.delimiter = std::string(1, plan.dialect.delimiter.value);
  out.quotechar = std::string(1, plan.dialect.quote.value);
  out.encoding = plan.encoding.name;
  std::ofstream f(sidecar_path_);
  f << render_sidecar(out, options_.file);
  if (!f.flush()) throw JobError("cannot write " + sidecar_path_);
  result.wrote_config = sidecar_path_;
  if (callbacks_.on_plan) callbacks_.on_plan(plan);
  return result;
}

ImportResult ImportJob::run(db::Connection& conn, const SessionOpener& open_session) {
  try {
    return load(conn, open_session);
  } catch (const InterruptedError&) {
    throw;
  } catch (const Error&) {
    throw_if_damaged(*input_);  // the transaction is rolled back already
    throw;
  }
}

ImportResult ImportJob::send(db::Connection& conn, ImportPlan plan) {
  try {
    return stream(conn, std::move(plan));
  } catch (const InterruptedError&) {
    throw;
  } catch (const Error&) {
    throw_if_damaged(*input_);
    throw;
  }
}

ImportResult ImportJob::load(db::Connection& conn, const SessionOpener& open_session) {
  ImportPlan plan;
  Relation target;
  {
    db::CancelOnSignal cancel_on_signal(conn.raw());
    // 4. The table, looked up in the transaction that loads it, and the plan.
    pqxx::work tx(conn, "pgimport");
    const TableName name = parse_table_name(options_.table);
    target = sql_step([&] { return find_relation(tx, name); });
    plan = plan_import(options_, facts_, target);
    if (options_.jobs > 1 && open_session) {
      SessionFacts sessions;
      sessions.jobs = options_.jobs;
      if (target.exists && !plan.truncate)
        sessions.max_prepared = sql_step([&] { return tx.exec("SHOW max_prepared_transactions")[0][0].as<long>(); });
      plan_sessions(plan, target, sessions);
      if (plan.method == LoadMethod::rename) plan_hidden_table(plan, options_, facts_, target, run_);
    }
    for (const auto& w : plan.warnings)
      if (callbacks_.on_warning) callbacks_.on_warning(w);
    if (callbacks_.on_plan) callbacks_.on_plan(plan);
    if (plan.jobs == 1 || options_.dry_run) {
      if (!options_.dry_run) {
        if (plan.create) sql_step([&] { tx.exec(plan.ddl); });
        if (plan.truncate) sql_step([&] { tx.exec(plan.truncate_sql); });
      }
      ImportResult result = stream(conn, std::move(plan));
      // 6. Commit (or, for a dry run, leave everything as it was).
      if (!options_.dry_run) {
        db::throw_if_interrupted();
        sql_step([&] { tx.commit(); });
      }
      return result;
    }
  }  // the catalog look-up's transaction ends: the sessions do the work
  return load_parallel(conn, open_session, std::move(plan), target);
}

// 5. The rows: the scanner validates and splits records; complete records go to COPY.
ImportResult ImportJob::stream(db::Connection& conn, ImportPlan plan) {
  // The sniffed sample's records served the plan; the load needs none of them (they are about
  // half a MB of heap, a part of the 20 MB an import may take).
  std::vector<csv::Record>().swap(facts_.sniffed.data);
  ImportResult result;
  result.dry_run = options_.dry_run;
  auto config = scanner_config(plan);
  // --max-errors: the scanner reports each record to a RejectSink, which loads in batches.
  std::unique_ptr<RejectFile> reject_file;
  std::unique_ptr<RejectSink> rejecting;
  if (!reject_path_.empty()) {
    if (!options_.dry_run)
      reject_file = std::make_unique<RejectFile>(reject_path_, options_.force, plan.encoding, plan.source);
    auto target = options_.dry_run ? make_null_batch_target() : make_db_batch_target(conn, plan.copy_sql);
    RejectFile* rf = reject_file.get();
    rejecting = std::make_unique<RejectSink>(
        std::move(target), options_.max_errors - std::min(options_.max_errors, options_.rejected_before),
        [rf](const Rejected& r) {
          if (rf) rf->add(r);
        },
        [rf](std::string_view header) {
          if (rf) rf->set_header(header);
        });
    config.hook = rejecting.get();
    result.rejecting = true;
  }
  csv::RecordScanner scanner(config);
  std::function<std::optional<std::uint64_t>(std::uint64_t)> rescan;
  if (reopen_) rescan = [&](std::uint64_t n) { return find_record_start(reopen_, plan.encoding, config, n); };
  std::unique_ptr<CopySink> sink;
  RejectSink* reject_sink = rejecting.get();
  if (rejecting) {
    sink = std::move(rejecting);
  } else if (options_.dry_run) {
    sink = std::make_unique<NullSink>();
  } else {
    try {
      sink = std::make_unique<CopyInSink>(conn, plan.copy_sql);
    } catch (const db::CopyError& e) {
      throw_copy_error(e, plan.source, scanner.line_map(), rescan);
    }
  }
  ImportChain chain = this->chain(scanner, *sink, plan);
  auto last_progress = Clock::now();
  auto report = [&](bool final) { report_progress(scanner, final); };
  try {
    run_chain(chain, pending_, status_, [&] {
      db::throw_if_interrupted();
      sink->check();
      if (Clock::now() - last_progress > std::chrono::milliseconds(100)) {
        last_progress = Clock::now();
        report(false);
      }
      return true;
    });
    db::throw_if_interrupted();
    result.rows = sink->finish(scanner.records());
  } catch (const RejectLimitExceeded& e) {
    sink->abort("too many rejected records");
    if (reject_file) reject_file->commit();
    throw JobError(
        fmt::format("{}:{}: more than {} record{} rejected (--max-errors {})", plan.source, e.line(),
                    options_.max_errors, options_.max_errors == 1 ? "" : "s", options_.max_errors),
        {},
        (reject_file ? "see " + reject_file->path() + " and " + reject_file->log_path() + "; " : std::string()) +
            (options_.dry_run ? std::string("nothing was imported") : std::string(kRolledBack)));
  } catch (const csv::DataError& e) {
    sink->abort("pgimport found bad data");
    throw_data_error(plan.source, e.line(), e.what(), e.hint(), !options_.dry_run, e.column());
  } catch (const db::CopyError& e) {
    throw_copy_error(e, plan.source, scanner.line_map(), rescan);
  } catch (const InterruptedError&) {
    sink->abort("canceled by the user");
    throw;
  } catch (const JobError&) {
    sink->abort("pgimport could not read its input");
    throw;
  }
  report(true);
  if (reject_sink) {
    result.rejected = reject_sink->rejected();
    if (reject_file && reject_file->count() > 0) {
      reject_file->commit();
      result.reject_file = reject_file->path();
      result.reject_log = reject_file->log_path();
    }
    if (result.rejected > 0 && callbacks_.on_warning)
      callbacks_.on_warning(fmt::format(
          "{} {} of {} rows ({})", options_.dry_run ? "would reject" : "rejected", result.rejected,
          result.rejected + result.rows,
          result.reject_file.empty() ? std::string("client-side checks only") : "see " + result.reject_file));
  }
  warn_blank_lines(scanner, plan);
  return finish(std::move(result), std::move(plan));
}

ImportChain ImportJob::chain(csv::RecordScanner& scanner, CopySink& sink, const ImportPlan& plan) {
  return {*decoder_, scanner, sink, "invalid byte sequence for encoding " + plan.encoding.name,
          plan.encoding.user_set ? "check --encoding (or the import config's encoding)"
                                 : "name the file's encoding with --encoding"};
}

void ImportJob::report_progress(const csv::RecordScanner& scanner, bool final) const {
  if (callbacks_.on_progress)
    callbacks_.on_progress(
        {input_->raw_consumed(), input_->raw().size(), false, scanner.records(), seconds_since(started_), final});
}

void ImportJob::warn_blank_lines(const csv::RecordScanner& scanner, const ImportPlan& plan) const {
  if (auto blank = scanner.blank_lines())
    if (callbacks_.on_warning)
      callbacks_.on_warning(fmt::format("skipped {} blank line{}{} (the first at {}:{})", blank, blank == 1 ? "" : "s",
                                        plan.fields == 1 ? " before the header" : "", plan.source,
                                        scanner.first_blank_line()));
}

ImportResult ImportJob::finish(ImportResult result, ImportPlan plan) const {
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
