// The import pipeline: 1. sidecar → 2. encoding → 3. sniff → 4. plan the table → 5. stream the
// rows through the record scanner into COPY → 6. commit, all in one transaction.
#include "transfer/import_job.hpp"

#include <fmt/format.h>
#include <pqxx/except>
#include <pqxx/transaction>

#include <sys/stat.h>
#include <chrono>
#include <fstream>
#include <memory>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "csv/header_names.hpp"
#include "csv/record_scanner.hpp"
#include "csv/sniffer.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "db/copy_in.hpp"
#include "encoding/utf8.hpp"
#include "transfer/import_config.hpp"
#include "transfer/input_stream.hpp"
#include "transfer/sidecar_path.hpp"
#include "transfer/table_name.hpp"
#include "transfer/table_plan.hpp"
#include "transfer/text_reader.hpp"

namespace pgmonkey::transfer {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kHeadBytes = 256 * 1024;    // raw bytes read for encoding detection
constexpr std::size_t kChunkBytes = 256 * 1024;   // one read of the input
constexpr std::size_t kMaxSniffBytes = 8u << 20;  // sample cap while looking for 100 records
constexpr int kServerCheckEvery = 16;             // chunks between early-error checks
const char* const kRolledBack = "nothing was imported: the transaction was rolled back";

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

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

// Runs a statement step, mapping libpqxx errors (and a cancel caused by Ctrl-C) to ours.
template <class F>
auto sql_step(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const pqxx::broken_connection& e) {
    db::throw_if_interrupted();
    throw JobError(std::string("lost the connection to the server: ") + core::trim(e.what()), {},
                   std::string("the server closed the session; ") + kRolledBack);
  } catch (const pqxx::sql_error& e) {
    db::throw_if_interrupted();
    std::string msg = core::trim(e.what());
    if (core::starts_with(msg, "ERROR:  ")) msg.erase(0, 8);
    throw JobError(msg, e.query(), kRolledBack, e.sqlstate());
  }
}

// The settings the job runs with: flags beat the sidecar, the sidecar beats detection.
struct Settings {
  csv::SniffOptions sniff;
  bool create = true;
  bool lowercase = true;
  std::optional<std::string> encoding;
};

Settings merge_settings(const ImportOptions& o, const ImportConfig& side) {
  Settings s;
  if (auto d = o.delimiter ? o.delimiter : side.delimiter)
    s.sniff.delimiter.set_by_user(csv::parse_char_option(*d, "delimiter"));
  if (auto q = o.quote ? o.quote : side.quotechar) s.sniff.quote.set_by_user(csv::parse_char_option(*q, "quote"));
  if (auto h = o.header ? o.header : side.has_headers) s.sniff.header.set_by_user(*h);
  s.sniff.infer_types = o.infer_types;
  s.sniff.nulls.null_string = o.null_string.value_or("");
  s.sniff.nulls.empty_as_null = o.empty_as_null;
  for (const auto& raw : o.force_not_null)
    for (const auto& n : core::split(raw, ',')) s.sniff.nulls.force_not_null.push_back(core::trim(n));
  s.create = o.create.value_or(side.auto_create_table.value_or(true));
  s.lowercase = o.lowercase.value_or(side.enforce_lowercase.value_or(true));
  s.encoding = o.encoding ? o.encoding : side.encoding;
  if (s.sniff.delimiter.user_set && s.sniff.quote.user_set && s.sniff.delimiter.value == s.sniff.quote.value)
    throw UsageError("the delimiter and the quote must differ");
  if (o.null_string && o.empty_as_null)
    throw UsageError("--empty-as-null works with the default NULL (an unquoted empty field), not with --null",
                     "with --null STR, write STR for NULL in the file; quoted STR stays text");
  return s;
}

// What COPY would refuse about --null, said before anything runs.
void check_null_string(const std::string& null_string, const csv::Dialect& d) {
  auto has = [&](char c) { return null_string.find(c) != std::string::npos; };
  if (has(d.delimiter.value))
    throw UsageError("--null must not contain the delimiter " + csv::show_char(d.delimiter.value));
  if (has(d.quote.value))
    throw UsageError("--null must not contain the quote character " + csv::show_char(d.quote.value));
  if (has('\n') || has('\r')) throw UsageError("--null must not contain a newline");
}

// A data problem as the user should see it: file:line[:column]: what (and the roll-back note).
[[noreturn]] void throw_data_error(const std::string& source, std::uint64_t line, const std::string& what,
                                   const std::string& hint, bool sent, std::uint64_t column = 0) {
  std::string where = column ? fmt::format("{}:{}:{}", source, line, column) : fmt::format("{}:{}", source, line);
  throw JobError(fmt::format("{}: {}", where, what), {},
                 hint.empty() ? std::string(sent ? kRolledBack : "nothing was imported")
                              : hint + (sent ? std::string("; ") + kRolledBack : std::string()));
}

// What the sniffer cannot see in the first line but must not let into the plan: a NUL byte
// (/dev/zero is not "empty") and invalid UTF-8 (a header would reach the server as broken
// names). Later lines are the record scanner's, which names them while streaming.
void check_first_line(std::string_view sample, bool whole, const ImportPlan& plan) {
  auto eol = sample.find_first_of("\r\n");
  std::string_view first = sample.substr(0, eol);
  bool cut = eol == std::string_view::npos && !whole;
  if (first.find('\0') != std::string_view::npos)
    throw_data_error(plan.source, 1, "NUL byte (0x00) in the data",
                     "PostgreSQL text cannot hold NUL: is this a CSV file?; nothing was imported", false);
  if (encoding::find_invalid_utf8(first, cut) != std::string_view::npos)
    throw_data_error(
        plan.source, 1, "invalid UTF-8 byte sequence",
        std::string(plan.encoding.user_set ? "check --encoding (or the import config's encoding)"
                                           : "if the file is in another encoding, name it with --encoding") +
            "; nothing was imported",
        false);
}

// When the line map overflowed (a huge file of multi-line records), a regular file is read
// again up to the failing record; standard input cannot be, so it keeps COPY's number.
std::optional<std::uint64_t> rescan_for_line(const std::string& path, const encoding::EncodingChoice& enc,
                                             csv::RecordScanner::Config sc, std::uint64_t copy_line) {
  try {
    InputStream in(path);
    if (!in.size()) return std::nullopt;
    std::string head;
    in.read_until(head, kHeadBytes);
    TextReader reader(in, std::move(head), enc);
    sc.find_copy_line = copy_line;
    csv::RecordScanner scanner(sc);
    csv::RecordScanner::Sink none = [](const char*, std::size_t) {};
    std::string buf;
    bool first = true;
    while (true) {
      auto status = reader.read(buf, kChunkBytes);
      if (first) (void)csv::take_excel_sep_line(buf);  // as the import did
      first = false;
      if (status == TextReader::Status::invalid) return std::nullopt;
      bool end = status == TextReader::Status::end;
      buf.erase(0, scanner.scan(buf.data(), buf.size(), end, none));
      if (auto line = scanner.line_map().line_of(copy_line)) return line;
      if (end) return std::nullopt;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

[[noreturn]] void throw_copy_error(const db::CopyError& e, const std::string& source, const csv::LineMap& map,
                                   const std::function<std::optional<std::uint64_t>(std::uint64_t)>& rescan) {
  db::throw_if_interrupted();
  if (e.connection_lost() || e.sqlstate() == "57P01") {
    std::string what = e.what();
    if (!core::starts_with(what, "lost the connection")) what = "lost the connection to the server: " + what;
    throw JobError(what, {},
                   std::string("the server closed the session (restart, crash, or "
                               "pg_terminate_backend); ") +
                       kRolledBack);
  }
  std::string where = source;
  if (e.copy_line()) {
    // The recent-records ring knows where the record starts; failing that a second pass over
    // a regular file finds it; failing that, the line the record ends on.
    std::optional<std::uint64_t> line = map.line_of(*e.copy_line());
    if (!line && rescan) line = rescan(*e.copy_line());
    if (line) {
      where += fmt::format(":{}", *line);
    } else if (auto end = map.find(*e.copy_line())) {
      where += fmt::format(":{} (the record ending on this line)", end->line);
    } else {
      where += fmt::format(" (COPY line {})", *e.copy_line());
    }
  }
  if (!e.column().empty()) where += ", column " + e.column();
  std::vector<std::string> detail;
  if (!e.detail().empty()) detail.push_back(e.detail());
  if (!e.context().empty()) detail.push_back("server context: " + e.context());
  std::string hint = e.hint().empty() ? kRolledBack : e.hint() + "; " + kRolledBack;
  throw JobError(where + ": " + e.what(), core::join(detail, "\n"), hint, e.sqlstate());
}

std::vector<std::string> target_names(const std::vector<ColumnPlan>& columns) {
  std::vector<std::string> out;
  for (const auto& c : columns) out.push_back(c.column);
  return out;
}

// --force-not-null names: a file header field or a target column.
std::vector<std::string> resolve_force_not_null(const std::vector<std::string>& names,
                                                const std::vector<ColumnPlan>& columns) {
  std::vector<std::string> fields, targets, out;
  for (const auto& c : columns) fields.push_back(c.field), targets.push_back(c.column);
  for (const auto& raw : names) {
    for (const auto& n : core::split(raw, ',')) {
      std::string name = core::trim(n);
      if (name.empty()) continue;
      auto m = csv::match_column(name, targets);
      if (!m) m = csv::match_column(name, fields);
      if (!m) {
        std::string dym = core::did_you_mean(name, targets);
        throw UsageError("--force-not-null: no column '" + name + "' in the import",
                         dym.empty() ? "columns: " + core::join(targets, ", ") : "did you mean '" + dym + "'?");
      }
      out.push_back(targets[*m]);
    }
  }
  return out;
}

}  // namespace

core::Json ImportPlan::to_json() const {
  auto cols = core::Json::array();
  for (const auto& c : columns) {
    auto j = core::Json::object();
    j.set("field", c.field).set("column", c.column).set("type", c.type);
    cols.push(std::move(j));
  }
  auto j = core::Json::object();
  j.set("source", source)
      .set("encoding", encoding.name)
      .set("encoding_source", encoding.user_set ? "set by you" : "detected")
      .set("delimiter", std::string(1, dialect.delimiter.value))
      .set("quote", std::string(1, dialect.quote.value))
      .set("header", dialect.header.value)
      .set("line_endings", csv::to_string(dialect.line_ending))
      .set("flags", dialect.flags() + " --encoding " + encoding.name)
      .set("table", table)
      .set("create", create)
      .set("truncate", truncate)
      .set("columns", std::move(cols));
  if (!ddl.empty()) j.set("ddl", ddl);
  j.set("copy", copy_sql);
  if (!sidecar.empty()) j.set("import_config", sidecar);
  return j;
}

core::Json ImportResult::to_json() const {
  auto j = core::Json::object();
  j.set("table", plan.table)
      .set("source", plan.source)
      .set("dry_run", dry_run)
      .set("created", plan.create && !dry_run)
      .set("rows", rows)
      .set("bytes", bytes)
      .set("seconds", seconds)
      .set("rows_per_second", seconds > 0 ? static_cast<double>(rows) / seconds : 0.0)
      .set("encoding", plan.encoding.name)
      .set("plan", plan.to_json());
  return j;
}

std::string ImportResult::summary() const {
  double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0.0;
  if (dry_run)  // the values themselves are only checked by the server, on a real import
    return fmt::format(
        "checked {} row{} ({}) from {} for {}: encoding and CSV structure only, not the values; "
        "nothing was imported",
        rows, rows == 1 ? "" : "s", human_bytes(bytes), plan.source, plan.table);
  return fmt::format("imported {} row{} ({}) from {} into {} in {:.2f} s ({:.0f} rows/s)", rows, rows == 1 ? "" : "s",
                     human_bytes(bytes), plan.source, plan.table, seconds, rate);
}

bool needs_connection(const ImportOptions& o) {
  return !o.write_import_config;
}

ImportResult run_import(const config::Config& cfg, const ImportOptions& o, const ImportCallbacks& cb) {
  const auto t0 = Clock::now();
  auto warn = [&](const std::string& w) {
    if (cb.on_warning) cb.on_warning(w);
  };
  std::optional<TableName> name;
  if (!o.table.empty())
    name = parse_table_name(o.table);
  else if (!o.write_import_config)
    throw UsageError("--table is required", "pgimport -c CONN.yaml --table [schema.]table FILE");

  // 1. The sidecar import config.
  std::string side_path = o.import_config;
  if (side_path.empty() && !o.write_import_config) side_path = find_sidecar(o.file, cfg.path);
  bool side_exists = !side_path.empty() && file_exists(side_path);
  if (side_path.empty() && o.file != "-") {
    side_path = sidecar_path(o.file);  // where --write-import-config writes
    side_exists = o.write_import_config && file_exists(side_path);
  }
  ImportConfig side;
  if (o.write_import_config) {
    if (side_path.empty()) throw UsageError("--write-import-config needs a file name or --import-config PATH");
    if (side_exists)
      throw UsageError("import config " + side_path + " already exists; not overwriting it",
                       "review or delete it; pgimport uses it when it exists");
  } else if (side_exists) {
    std::vector<std::string> warnings;
    side = read_import_config(side_path, warnings);
    for (const auto& w : warnings) warn(w);
  } else if (!o.import_config.empty()) {
    throw ConfigError("import config " + o.import_config + " does not exist");
  }
  Settings settings = merge_settings(o, side);

  // 2. Encoding, from the first bytes.
  InputStream in(o.file);
  ImportResult result;
  ImportPlan& plan = result.plan;
  plan.source = in.name();
  plan.size = in.size();
  if (side_exists && !o.write_import_config) plan.sidecar = side_path;
  std::string head;
  bool head_whole = !in.read_until(head, kHeadBytes);
  plan.encoding = settings.encoding ? encoding::user_encoding(*settings.encoding, head)
                                    : encoding::detect_encoding(head, head_whole);
  if (!plan.encoding.warning.empty()) warn(plan.encoding.warning);
  TextReader reader(in, std::move(head), plan.encoding);
  plan.transcoding = reader.transcoding();

  // 3. Sniff the dialect on a decoded sample of at least 256 KiB or 100 records.
  std::string buf;
  auto status = TextReader::Status::data;
  std::size_t breaks = 0;  // counted as the sample grows, each byte once
  while (status == TextReader::Status::data &&
         (buf.size() < csv::kSniffSampleBytes || (breaks <= csv::kSniffMinRecords && buf.size() < kMaxSniffBytes))) {
    std::size_t from = buf.size();
    status = reader.read(buf, kChunkBytes);
    // A CR at the end of the previous piece was counted; an LF right after it is its pair.
    breaks += count_breaks(std::string_view(buf).substr(
        from > 0 && buf[from - 1] == '\r' && buf.size() > from && buf[from] == '\n' ? from + 1 : from));
  }
  check_first_line(buf, status == TextReader::Status::end, plan);
  if (auto sep = csv::take_excel_sep_line(buf)) {
    if (!settings.sniff.delimiter.user_set) {
      if (*sep == settings.sniff.quote.value)
        throw UsageError("the file's sep= line names the quote character as the delimiter",
                         "pass --quote with another character, or --delimiter");
      settings.sniff.delimiter.set_by_user(*sep);
      settings.sniff.delimiter.from_file = true;
    }
  }
  auto sniffed = csv::sniff(buf, status == TextReader::Status::end, settings.sniff);
  if (sniffed.empty && breaks > 0 && settings.sniff.header.user_set && !settings.sniff.header.value) {
    // Only blank lines and --no-header: one column of NULLs, as COPY reads them.
    sniffed.empty = false;
    sniffed.field_count = 1;
    sniffed.types = {csv::ColumnType::text};
    sniffed.dialect.header = settings.sniff.header;
    sniffed.dialect.line_ending = buf[0] == '\r'
                                      ? (buf.size() > 1 && buf[1] == '\n' ? csv::LineEnding::crlf : csv::LineEnding::cr)
                                      : csv::LineEnding::lf;
  }
  if (sniffed.empty && status == TextReader::Status::data)
    throw_data_error(plan.source, 1, fmt::format("no complete line in the first {} MB", kMaxSniffBytes >> 20),
                     "this is not a CSV file, or its first line is longer than that; nothing was imported", false);
  if (sniffed.empty) {
    if (status == TextReader::Status::invalid)
      throw_data_error(plan.source, count_breaks(buf) + 1, "invalid byte sequence for encoding " + plan.encoding.name,
                       "name the file's encoding with --encoding", false);
    throw JobError(plan.source + " is empty: no header and no rows", {}, "nothing was imported; check the file name");
  }
  if (sniffed.unterminated_quote_line)
    throw_data_error(plan.source, static_cast<std::uint64_t>(sniffed.unterminated_quote_line),
                     "unterminated quoted field: the quote opened in this record is never closed",
                     "close the quote, or set another quote character with --quote", false);
  plan.dialect = sniffed.dialect;
  if (sniffed.header_uncertain)
    warn(std::string("could not tell from the data whether the first row is a header; assumed ") +
         (plan.dialect.header.value ? "it is" : "it is not") + ": pass --header or --no-header to be sure");

  if (o.write_import_config) {
    ImportConfig out;
    out.has_headers = plan.dialect.header.value;
    out.auto_create_table = settings.create;
    out.enforce_lowercase = settings.lowercase;
    out.delimiter = std::string(1, plan.dialect.delimiter.value);
    out.quotechar = std::string(1, plan.dialect.quote.value);
    out.encoding = plan.encoding.name;
    std::ofstream f(side_path);
    f << render_import_config(out, o.file);
    if (!f.flush()) throw JobError("cannot write " + side_path);
    result.wrote_config = side_path;
    if (cb.on_plan) cb.on_plan(plan);
    return result;
  }

  // 4. The table: resolve it, match or normalise the columns, build the SQL.
  std::vector<std::string> header = sniffed.header;
  if (!plan.dialect.header.value)
    for (std::size_t i = 0; i < sniffed.field_count; ++i) header.push_back("col_" + std::to_string(i + 1));
  if (o.null_string) check_null_string(*o.null_string, plan.dialect);
  auto conn = db::connect(cfg, "pgimport");
  db::apply_session_settings(*conn, db::bulk_session_settings(cfg));
  db::CancelOnSignal cancel_on_signal(conn->raw());
  pqxx::work tx(*conn, "pgimport");
  // Like pgexport: an existing table as written first (-t Orders finds "Orders"), then the name
  // folded as SQL folds it, which is also the name a new table gets.
  if (name->quoted_as_written() != name->quoted()) {
    TableName as_written = *name;
    as_written.schema = as_written.schema_as_written;
    as_written.table = as_written.table_as_written;
    if (sql_step([&] { return resolve_table(tx, as_written); }).exists) name = as_written;
  }
  auto target = sql_step([&] { return resolve_table(tx, *name); });
  if (target.exists && !plan.dialect.header.value && !plan.dialect.header.user_set && !sniffed.data.empty()) {
    // "region,2023,2024" into a table with those columns: its header, though "2023" looks like data.
    std::vector<std::string> first;
    for (const auto& f : sniffed.data.front()) first.push_back(f.text);
    if (names_table_columns(first, target)) {
      plan.dialect.header = {true, false};
      header = first;
      warn("the first row names the columns of " + target.display + ", so it is the header after all");
    }
  }
  plan.table = target.display;
  plan.truncate = o.truncate && target.exists;
  if (plan.truncate) plan.truncate_sql = "TRUNCATE " + name->quoted();
  if (target.exists) {
    std::vector<std::size_t> idx;
    if (plan.dialect.header.value) {
      idx = match_header(header, target, plan.source);
    } else {
      if (header.size() > target.columns.size())
        throw JobError(fmt::format("{} has {} fields per row but {} has only {} columns", plan.source, header.size(),
                                   target.display, target.columns.size()),
                       {}, "without a header, fields go to the table's columns in order");
      for (std::size_t i = 0; i < header.size(); ++i) idx.push_back(i);
    }
    std::vector<bool> used(target.columns.size(), false);
    for (std::size_t i = 0; i < header.size(); ++i) {
      plan.columns.push_back({header[i], target.columns[idx[i]].name, target.columns[idx[i]].type});
      used[idx[i]] = true;
    }
    for (std::size_t i = 0; i < used.size(); ++i)
      if (!used[i]) plan.table_columns_defaulted.push_back(target.columns[i].name);
  } else {
    if (!settings.create)
      throw JobError("table " + target.display + " does not exist", {},
                     o.create ? "create it first, or drop --no-create to let pgimport create it"
                              : "create it first, or set auto_create_table: true in " + side_path);
    auto names = csv::normalise_names(header, settings.lowercase);
    for (std::size_t i = 0; i < names.size(); ++i)
      plan.columns.push_back({header[i], names[i], csv::sql_name(sniffed.types[i])});
    plan.create = true;
    plan.ddl = create_table_sql(*name, names, sniffed.types);
  }
  CopyFlags flags;
  flags.delimiter = plan.dialect.delimiter.value;
  flags.quote = plan.dialect.quote.value;
  if (o.null_string) flags.null_string = *o.null_string, flags.has_null_string = true;
  if (o.empty_as_null) flags.force_null = target_names(plan.columns);
  flags.force_not_null = resolve_force_not_null(o.force_not_null, plan.columns);
  plan.copy_sql = copy_sql(*name, target_names(plan.columns), flags);
  if (cb.on_plan) cb.on_plan(plan);

  // 5. Stream: the scanner validates and splits records; complete records go to COPY.
  csv::RecordScanner::Config sc;
  sc.delimiter = flags.delimiter;
  sc.quote = flags.quote;
  sc.line_ending = plan.dialect.line_ending;
  sc.expected_fields = sniffed.field_count;
  sc.skip_header = plan.dialect.header.value;
  csv::RecordScanner scanner(sc);
  std::function<std::optional<std::uint64_t>(std::uint64_t)> rescan;
  if (!in.is_stdin()) rescan = [&](std::uint64_t n) { return rescan_for_line(o.file, plan.encoding, sc, n); };
  std::unique_ptr<db::CopyIn> copy;
  if (!o.dry_run) {
    if (plan.create) sql_step([&] { tx.exec(plan.ddl); });
    if (plan.truncate) sql_step([&] { tx.exec(plan.truncate_sql); });
    try {
      copy = std::make_unique<db::CopyIn>(*conn, plan.copy_sql);
    } catch (const db::CopyError& e) {
      throw_copy_error(e, plan.source, scanner.line_map(), rescan);
    }
  }
  csv::RecordScanner::Sink sink = [&](const char* p, std::size_t n) {
    if (copy) copy->write(p, n);
  };
  auto last_progress = Clock::now();
  int chunks = 0;
  try {
    while (true) {
      bool at_end = status == TextReader::Status::end;
      std::size_t used = scanner.scan(buf.data(), buf.size(), at_end, sink);
      buf.erase(0, used);
      if (status == TextReader::Status::invalid)
        throw csv::DataError(scanner.lines() + 1 + count_breaks(buf),
                             "invalid byte sequence for encoding " + plan.encoding.name,
                             plan.encoding.user_set ? "check --encoding (or the import config's encoding)"
                                                    : "name the file's encoding with --encoding");
      if (at_end) break;
      db::throw_if_interrupted();
      if (copy && ++chunks % kServerCheckEvery == 0 && copy->server_reported_error()) copy->fail_after_server_error();
      if (cb.on_progress && Clock::now() - last_progress > std::chrono::milliseconds(100)) {
        last_progress = Clock::now();
        cb.on_progress({in.consumed(), in.size(), scanner.records(), seconds_since(t0)});
      }
      status = reader.read(buf, kChunkBytes);
    }
    db::throw_if_interrupted();
    result.rows = copy ? copy->finish() : scanner.records();
  } catch (const csv::DataError& e) {
    if (copy) copy->abort("pgimport found bad data");
    throw_data_error(plan.source, e.line(), e.what(), e.hint(), copy != nullptr, e.column());
  } catch (const db::CopyError& e) {
    throw_copy_error(e, plan.source, scanner.line_map(), rescan);
  } catch (const InterruptedError&) {
    if (copy) copy->abort("canceled by the user");
    throw;
  }
  if (cb.on_progress) cb.on_progress({in.consumed(), in.size(), scanner.records(), seconds_since(t0)});
  if (auto blank = scanner.blank_lines())
    warn(fmt::format("skipped {} blank line{}{} (the first at {}:{})", blank, blank == 1 ? "" : "s",
                     sniffed.field_count == 1 ? " before the header" : "", plan.source, scanner.first_blank_line()));

  // 6. Commit (or, for a dry run, leave everything as it was).
  if (!o.dry_run) {
    db::throw_if_interrupted();
    sql_step([&] { tx.commit(); });
  }
  result.dry_run = o.dry_run;
  result.bytes = in.consumed();
  result.seconds = seconds_since(t0);
  return result;
}

}  // namespace pgmonkey::transfer
