// The export job: catalog lookups, the COPY stream, client-side encoding and the atomic file.
#include "transfer/export_job.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "db/copy_out.hpp"
#include "db/quote.hpp"
#include "transfer/atomic_file.hpp"
#include "transfer/export_stream.hpp"
#include "transfer/table_name.hpp"

namespace pgmonkey::transfer {
namespace {

using Clock = std::chrono::steady_clock;
using db::ReadOnlySnapshot;

constexpr std::size_t kFlushBytes = 256 * 1024;

struct FoundTable {
  std::string oid;
  CopySource source;
  std::vector<std::string> all_columns;
  std::vector<std::string> generated_columns;  // GENERATED ALWAYS AS (...) STORED
};

std::optional<FoundTable> lookup(pqxx::transaction_base& tx, const std::string& qualified) {
  auto r = db::exec_params(tx,
                           "SELECT c.oid::text, n.nspname, c.relname, c.relkind::text "
                           "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.oid = pg_catalog.to_regclass($1)",
                           qualified);
  if (r.empty()) return std::nullopt;
  FoundTable t;
  t.oid = r[0][0].c_str();
  t.source.schema = r[0][1].c_str();
  t.source.table = r[0][2].c_str();
  t.source.relkind = r[0][3].c_str()[0];
  auto cols = db::exec_params(
      tx,
      "SELECT attname, attgenerated <> '' FROM pg_catalog.pg_attribute WHERE attrelid = $1::oid AND attnum > 0 "
      "AND NOT attisdropped ORDER BY attnum",
      t.oid);
  for (const auto& row : cols) {
    t.all_columns.emplace_back(row[0].c_str());
    if (row[1].as<bool>()) t.generated_columns.emplace_back(row[0].c_str());
  }
  return t;
}

FoundTable find_table(pqxx::transaction_base& tx, const std::string& text) {
  TableName name = parse_table_name(text, UnquotedParts::anything);
  // As written first (Orders stays Orders), then folded the way SQL folds unquoted names.
  if (auto t = lookup(tx, name.quoted_as_written())) return *t;
  if (name.quoted() != name.quoted_as_written())
    if (auto t = lookup(tx, name.quoted())) return *t;
  std::vector<std::string> names;
  auto r = db::exec_params(
      tx,
      "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r','v','m','f','p') AND n.nspname NOT IN ('pg_catalog','information_schema') "
      "AND ($1 = '' OR n.nspname = $1)",
      name.schema_as_written);
  for (const auto& row : r) names.emplace_back(row[0].c_str());
  std::string guess = core::did_you_mean(name.table_as_written, names);
  throw JobError("table " + text + " does not exist", {},
                 guess.empty() ? "check the name and the schema (schema.table)" : "did you mean " + guess + "?");
}

// Each requested name matched exactly, else case-insensitively when that is unambiguous.
std::vector<std::string> match_columns(const std::vector<std::string>& wanted, const std::vector<std::string>& all,
                                       const std::string& flag, const std::string& table) {
  std::vector<std::string> out;
  for (const auto& w : wanted) {
    std::string found;
    for (const auto& a : all)
      if (a == w) found = a;
    if (found.empty()) {
      int hits = 0;
      for (const auto& a : all)
        if (core::to_lower(a) == core::to_lower(w)) {
          found = a;
          ++hits;
        }
      if (hits != 1) found.clear();
    }
    if (found.empty()) {
      std::string guess = core::did_you_mean(w, all);
      throw UsageError(flag + ": " + table + " has no column " + w,
                       guess.empty() ? "its columns are: " + core::join(all, ", ") : "did you mean " + guess + "?");
    }
    if (std::find(out.begin(), out.end(), found) != out.end())
      throw UsageError(flag + ": column " + found + " is named more than once");
    out.push_back(found);
  }
  return out;
}

// Bytes the CSV will roughly take, from planner statistics: never a COUNT(*) pass.
std::uint64_t estimate_bytes(pqxx::transaction_base& tx, const FoundTable& t, const std::vector<std::string>& cols) {
  auto r =
      db::exec_params(tx,
                      "SELECT c.reltuples::float8, pg_catalog.pg_table_size(c.oid)::float8 FROM pg_catalog.pg_class c "
                      "WHERE c.oid = $1::oid",
                      t.oid);
  double reltuples = r[0][0].as<double>();
  double size = r[0][1].as<double>();
  auto stats =
      db::exec_params(tx, "SELECT attname, avg_width FROM pg_catalog.pg_stats WHERE schemaname = $1 AND tablename = $2",
                      t.source.schema, t.source.table);
  double width = 0;
  std::size_t with_stats = 0;
  for (const auto& c : cols)
    for (const auto& row : stats)
      if (c == row[0].c_str()) {
        width += row[1].as<double>() + 1;  // the value and its delimiter or newline
        ++with_stats;
        break;
      }
  if (reltuples > 0 && with_stats == cols.size() && !cols.empty()) return static_cast<std::uint64_t>(reltuples * width);
  return static_cast<std::uint64_t>(size);
}

std::string canonical_encoding(pqxx::transaction_base& tx, const std::string& name, const std::string& asked) {
  auto r = db::exec_params(tx, "SELECT pg_catalog.pg_encoding_to_char(pg_catalog.pg_char_to_encoding($1))", name);
  std::string canonical = r[0][0].c_str();
  if (canonical == "SQL_ASCII")  // "no conversion at all": the file would be in whatever the database holds
    throw UsageError("SQL_ASCII is not a file encoding", "use ascii for 7-bit output, or utf-8");
  if (canonical.empty())
    throw UsageError("unknown encoding " + asked,
                     "use a name PostgreSQL knows (utf-8, latin1, win1252, iso-8859-2, ...) or utf-16, utf-16le, "
                     "utf-16be, ascii");
  return canonical;
}

// Encodings PostgreSQL offers only to clients: their second bytes can look like ASCII.
bool is_client_only(const std::string& enc) {
  for (const char* e : {"SJIS", "SHIFT_JIS_2004", "BIG5", "GBK", "UHC", "GB18030", "JOHAB"})
    if (enc == e) return true;
  return false;
}

std::string display_encoding(const EncodingPlan& plan, const std::string& canonical) {
  switch (plan.client) {
    case ClientTranscode::utf16le:
      return "UTF-16LE";
    case ClientTranscode::utf16be:
      return "UTF-16BE";
    case ClientTranscode::ascii_check:
      return "ASCII";
    case ClientTranscode::none:
      break;
  }
  return plan.bom.empty() ? canonical : canonical + " with BOM";
}

// Everything decided before the first byte moves.
struct Plan {
  CopySource source;
  ExportDialect dialect;  // column names as the catalog spells them
  EncodingPlan encoding;
  std::string server_encoding;  // PostgreSQL's canonical name
  std::uint64_t estimated_bytes = 0;
};

Plan make_plan(pqxx::transaction_base& tx, const ExportRequest& req) {
  Plan p;
  validate_dialect(req.dialect);
  p.encoding = plan_encoding(req.dialect.encoding);
  FoundTable found = find_table(tx, req.table);
  p.source = found.source;
  if (!req.columns.empty()) {
    p.source.columns = match_columns(req.columns, found.all_columns, "--columns", req.table);
    for (const auto& c : p.source.columns)
      if (std::find(found.generated_columns.begin(), found.generated_columns.end(), c) != found.generated_columns.end())
        p.source.lists_generated = true;
  }
  const auto& cols = p.source.columns.empty() ? found.all_columns : p.source.columns;
  p.dialect = req.dialect;
  if (!(p.dialect.force_quote.size() == 1 && p.dialect.force_quote[0] == "*"))
    p.dialect.force_quote = match_columns(p.dialect.force_quote, cols, "--force-quote", req.table);
  p.server_encoding = canonical_encoding(tx, p.encoding.server_encoding, req.dialect.encoding);
  if (p.dialect.crlf && is_client_only(p.server_encoding) && static_cast<unsigned char>(p.dialect.quote) >= 0x40)
    throw UsageError(
        "--crlf cannot track quoted fields in " + p.server_encoding + " with quote " + std::string(1, p.dialect.quote),
        "use the default quote character or utf-8");
  p.estimated_bytes = estimate_bytes(tx, found, cols);
  if (p.encoding.client == ClientTranscode::utf16le || p.encoding.client == ClientTranscode::utf16be)
    p.estimated_bytes *= 2;
  return p;
}

// Where the bytes go. Standard output and devices or pipes (/dev/null, a FIFO) are written in
// place; every regular file goes through a temp file and a rename.
class Output {
 public:
  Output(const std::string& path, bool force) : name_(path == "-" ? "standard output" : path) {
    if (path == "-") {
      fd_ = STDOUT_FILENO;
    } else if (is_special_file(path)) {
      fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd_ < 0) throw JobError("cannot open " + path + ": " + std::strerror(errno));
      owned_ = true;
    } else {
      file_ = std::make_unique<AtomicFile>(path, force);
    }
  }
  ~Output() {
    if (owned_) ::close(fd_);
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(const std::string& bytes) {
    if (file_)
      file_->write(bytes.data(), bytes.size());
    else
      write_all(fd_, bytes.data(), bytes.size(), name_);
    written_ += bytes.size();
  }
  void commit() {
    if (file_) file_->commit();
  }
  std::uint64_t written() const { return written_; }

 private:
  std::string name_;
  std::unique_ptr<AtomicFile> file_;
  int fd_ = -1;
  bool owned_ = false;
  std::uint64_t written_ = 0;
};

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// COPY's chunks through the encoder into the output in kFlushBytes writes; returns the rows.
std::uint64_t stream(db::Connection& conn, const Plan& plan, Output& output, Clock::time_point t0,
                     const ProgressFn& on_progress) {
  OutputEncoder encoder(plan.dialect, plan.encoding);
  std::string buffer;
  buffer.reserve(kFlushBytes * 2 + 64 * 1024);
  buffer = encoder.preamble();
  ExportProgress progress;
  progress.estimated_bytes = plan.estimated_bytes;
  auto report = [&](std::uint64_t rows) {
    if (!on_progress) return;
    progress.rows = rows;
    progress.bytes = output.written();
    progress.seconds = since(t0);
    on_progress(progress);
  };

  db::throw_if_interrupted();  // a signal between the catalog queries cancelled nothing
  db::CopyOut copy(conn.raw(), build_copy_sql(plan.source, plan.dialect, plan.server_encoding));
  std::string_view chunk;
  std::uint64_t chunks = 0;  // one per row, plus the header
  while (copy.next(chunk)) {
    db::throw_if_interrupted();
    encoder.encode(chunk, buffer);
    ++chunks;
    if (buffer.size() >= kFlushBytes) {
      output.write(buffer);
      buffer.clear();
      report(chunks - (plan.dialect.header ? 1 : 0));
    }
  }
  encoder.finish();
  if (!buffer.empty()) output.write(buffer);
  report(copy.rows());
  return copy.rows();
}

ExportResult export_in_snapshot(db::Connection& conn, const ExportRequest& req, const ProgressFn& on_progress) {
  auto t0 = Clock::now();
  // 1. Look the table, its columns and the encoding up inside the snapshot the data comes from.
  ReadOnlySnapshot tx(conn, "pgexport");
  Plan plan = make_plan(tx, req);
  // 2. Open the output: a temp file next to the target (or stdout, a device, a FIFO).
  Output output(req.output, req.force);
  // 3. Stream COPY through CRLF/transcoding into it.
  ExportResult result;
  result.rows = stream(conn, plan, output, t0, on_progress);
  // 4. End the snapshot, then put the file in place: the last step that can fail is the rename.
  db::throw_if_interrupted();
  tx.commit();
  db::throw_if_interrupted();
  output.commit();
  result.table = plan.source.schema + "." + plan.source.table;
  result.output = req.output;
  result.encoding = display_encoding(plan.encoding, plan.server_encoding);
  result.bytes = output.written();
  result.seconds = since(t0);
  return result;
}

}  // namespace

core::Json ExportResult::to_json() const {
  auto j = core::Json::object();
  j.set("table", table)
      .set("output", output)
      .set("encoding", encoding)
      .set("rows", static_cast<unsigned long long>(rows))
      .set("bytes", static_cast<unsigned long long>(bytes))
      .set("seconds", seconds);
  return j;
}

std::string default_output_for(const std::string& table) {
  std::string name = parse_table_name(table, UnquotedParts::anything).table_as_written;
  for (char& c : name)
    if (c == '/') c = '_';
  return name + ".csv";
}

ExportResult run_export(db::Connection& conn, const ExportRequest& request, const ProgressFn& on_progress) {
  db::CancelOnSignal guard(conn.raw(), db::SigPipe::ignore);
  try {
    ExportResult result;
    db::translate_errors([&] { result = export_in_snapshot(conn, request, on_progress); });
    return result;
  } catch (const Error&) {
    // A cancel we asked for comes back as a query error; report it as what it was.
    if (db::interrupted()) throw InterruptedError();
    throw;
  }
}

}  // namespace pgmonkey::transfer
