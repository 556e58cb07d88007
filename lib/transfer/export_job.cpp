// The export job: catalog lookups, the COPY stream, client-side encoding and the atomic file.
#include "transfer/export_job.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <pqxx/result>
#include <pqxx/transaction>

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

namespace pgmonkey::transfer {
namespace {

using Clock = std::chrono::steady_clock;
using ReadOnlySnapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

constexpr std::size_t kFlushBytes = 256 * 1024;

struct FoundTable {
  std::string oid;
  CopySource source;
  std::vector<std::string> all_columns;
};

std::optional<FoundTable> lookup(pqxx::transaction_base& tx, const std::string& qualified) {
  auto r = tx.exec_params(
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
  auto cols = tx.exec_params(
      "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = $1::oid AND attnum > 0 "
      "AND NOT attisdropped ORDER BY attnum",
      t.oid);
  for (const auto& row : cols) t.all_columns.emplace_back(row[0].c_str());
  return t;
}

std::string qualified_text(const TableName& n, bool fold) {
  auto part = [&](const std::string& s, bool quoted) {
    return db::quote_ident(fold && !quoted ? core::to_lower(s) : s);
  };
  std::string t = part(n.table, n.table_quoted);
  return n.schema.empty() ? t : part(n.schema, n.schema_quoted) + "." + t;
}

FoundTable find_table(pqxx::transaction_base& tx, const std::string& text) {
  TableName name = parse_table_name(text);
  // As written first (Orders stays Orders), then folded the way SQL folds unquoted names.
  if (auto t = lookup(tx, qualified_text(name, false))) return *t;
  if (auto t = lookup(tx, qualified_text(name, true))) return *t;
  std::vector<std::string> names;
  auto r = tx.exec_params(
      "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r','v','m','f','p') AND n.nspname NOT IN ('pg_catalog','information_schema') "
      "AND ($1 = '' OR n.nspname = $1)",
      name.schema);
  for (const auto& row : r) names.emplace_back(row[0].c_str());
  std::string guess = core::did_you_mean(name.table, names);
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
    out.push_back(found);
  }
  return out;
}

// Bytes the CSV will roughly take, from planner statistics: never a COUNT(*) pass.
std::uint64_t estimate_bytes(pqxx::transaction_base& tx, const FoundTable& t, const std::vector<std::string>& cols) {
  auto r = tx.exec_params(
      "SELECT c.reltuples::float8, pg_catalog.pg_table_size(c.oid)::float8 FROM pg_catalog.pg_class c "
      "WHERE c.oid = $1::oid",
      t.oid);
  double reltuples = r[0][0].as<double>();
  double size = r[0][1].as<double>();
  auto stats =
      tx.exec_params("SELECT attname, avg_width FROM pg_catalog.pg_stats WHERE schemaname = $1 AND tablename = $2",
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
  auto r = tx.exec_params("SELECT pg_catalog.pg_encoding_to_char(pg_catalog.pg_char_to_encoding($1))", name);
  std::string canonical = r[0][0].c_str();
  if (canonical.empty() || canonical == "SQL_ASCII")
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

// Standard output or an existing device/FIFO, closed if we opened it.
struct DirectOutput {
  int fd = -1;
  bool owned = false;
  void open(const std::string& path) {
    fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw JobError("cannot open " + path + ": " + std::strerror(errno));
    owned = true;
  }
  ~DirectOutput() {
    if (owned) ::close(fd);
  }
};

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

ExportResult export_in_snapshot(db::Connection& conn, const ExportRequest& req, const ProgressFn& on_progress) {
  auto t0 = Clock::now();
  const ExportDialect& dialect = req.dialect;
  validate_dialect(dialect);
  EncodingPlan plan = plan_encoding(dialect.encoding);

  ReadOnlySnapshot tx(conn, "pgexport");
  FoundTable found = find_table(tx, req.table);
  if (!req.columns.empty())
    found.source.columns = match_columns(req.columns, found.all_columns, "--columns", req.table);
  const auto& cols = found.source.columns.empty() ? found.all_columns : found.source.columns;
  ExportDialect effective = dialect;
  if (!(effective.force_quote.size() == 1 && effective.force_quote[0] == "*"))
    effective.force_quote = match_columns(effective.force_quote, cols, "--force-quote", req.table);
  std::string canonical = canonical_encoding(tx, plan.server_encoding, dialect.encoding);
  if (effective.crlf && is_client_only(canonical) && static_cast<unsigned char>(effective.quote) >= 0x40)
    throw UsageError(
        "--crlf cannot track quoted fields in " + canonical + " with quote " + std::string(1, effective.quote),
        "use the default quote character or utf-8");
  std::uint64_t estimate = estimate_bytes(tx, found, cols);
  if (plan.client == ClientTranscode::utf16le || plan.client == ClientTranscode::utf16be) estimate *= 2;

  ExportResult result;
  result.table = found.source.schema + "." + found.source.table;
  result.output = req.output;
  result.encoding = display_encoding(plan, canonical);

  // Standard output and devices or pipes (/dev/null, a FIFO) are written in place; every
  // regular file goes through a temp file and a rename.
  std::unique_ptr<AtomicFile> file;
  DirectOutput direct;
  if (req.output == "-")
    direct.fd = STDOUT_FILENO;
  else if (is_special_file(req.output))
    direct.open(req.output);
  else
    file = std::make_unique<AtomicFile>(req.output, req.force);
  const std::string what = req.output == "-" ? "standard output" : req.output;
  auto sink = [&](const std::string& bytes) {
    if (bytes.empty()) return;
    if (file)
      file->write(bytes.data(), bytes.size());
    else
      write_all(direct.fd, bytes.data(), bytes.size(), what);
    result.bytes += bytes.size();
  };

  OutputEncoder encoder(effective, plan);
  std::string buffer;
  buffer.reserve(kFlushBytes * 2 + 64 * 1024);
  buffer = encoder.preamble();
  ExportProgress progress;
  progress.estimated_bytes = estimate;

  db::CancelOnSignal::throw_if_interrupted();  // a signal between the catalog queries cancelled nothing
  db::CopyOut copy(conn.raw(), build_copy_sql(found.source, effective, canonical));
  std::string_view chunk;
  std::uint64_t chunks = 0;
  while (copy.next(chunk)) {
    db::CancelOnSignal::throw_if_interrupted();
    encoder.encode(chunk, buffer);
    ++chunks;
    if (buffer.size() >= kFlushBytes) {
      sink(buffer);
      buffer.clear();
      if (on_progress) {
        progress.rows = chunks - (effective.header && chunks > 0 ? 1 : 0);
        progress.bytes = result.bytes;
        progress.seconds = since(t0);
        on_progress(progress);
      }
    }
  }
  encoder.finish();
  sink(buffer);
  db::CancelOnSignal::throw_if_interrupted();
  tx.commit();
  db::CancelOnSignal::throw_if_interrupted();
  if (file) file->commit();
  result.rows = copy.rows();
  result.seconds = since(t0);
  if (on_progress) {
    progress.rows = result.rows;
    progress.bytes = result.bytes;
    progress.seconds = result.seconds;
    on_progress(progress);
  }
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
  std::string name = parse_table_name(table).table;
  for (char& c : name)
    if (c == '/') c = '_';
  return name + ".csv";
}

TableName parse_table_name(const std::string& text) {
  std::vector<std::pair<std::string, bool>> parts(1);
  bool in_quotes = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      if (in_quotes && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back().first += '"';
        ++i;
      } else {
        in_quotes = !in_quotes;
        parts.back().second = true;
      }
    } else if (c == '.' && !in_quotes && parts.size() == 1) {
      parts.emplace_back();
    } else {
      parts.back().first += c;
    }
  }
  if (in_quotes) throw UsageError("unbalanced double quote in table name " + text);
  TableName n;
  if (parts.size() == 2) {
    n.schema = parts[0].first;
    n.schema_quoted = parts[0].second;
  }
  n.table = parts.back().first;
  n.table_quoted = parts.back().second;
  if (n.table.empty() || (parts.size() == 2 && n.schema.empty()))
    throw UsageError("not a table name: '" + text + "'", "write table or schema.table");
  return n;
}

ExportResult run_export(db::Connection& conn, const ExportRequest& request, const ProgressFn& on_progress) {
  db::CancelOnSignal guard(conn.raw());
  try {
    ExportResult result;
    db::translate_errors([&] { result = export_in_snapshot(conn, request, on_progress); });
    return result;
  } catch (const Error&) {
    // A cancel we asked for comes back as a query error; report it as what it was.
    if (db::CancelOnSignal::interrupted()) throw InterruptedError();
    throw;
  }
}

}  // namespace pgmonkey::transfer
