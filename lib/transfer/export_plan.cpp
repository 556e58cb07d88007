// Planning the export from the request and the catalog facts.
#include "transfer/export_plan.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "transfer/export_ranges.hpp"

namespace pgmonkey::transfer {
namespace {

// Bytes the CSV will roughly take, from planner statistics: never a COUNT(*) pass.
std::uint64_t estimate_bytes(const ExportFacts& f, const std::vector<std::string>& cols) {
  double width = 0;
  std::size_t with_stats = 0;
  for (const auto& c : cols)
    for (const auto& [name, avg] : f.avg_width)
      if (c == name) {
        width += avg + 1;  // the value and its delimiter or newline
        ++with_stats;
        break;
      }
  if (f.reltuples > 0 && with_stats == cols.size() && !cols.empty())
    return static_cast<std::uint64_t>(f.reltuples * width);
  return static_cast<std::uint64_t>(f.table_bytes);
}

// --jobs: the block ranges and their COPYs, only the first with the header.
void plan_sessions(const ExportRequest& req, const ExportFacts& f, const std::vector<std::string>& cols,
                   ExportPlan& p) {
  SessionFacts sf;
  sf.jobs = req.jobs;
  sf.relkind = f.relation.relkind;
  sf.blocks = f.relation_blocks;
  sf.block_size = f.block_size;
  sf.server_version = f.server_version;
  sf.range_blocks = req.range_blocks;
  auto choice = choose_sessions(sf, f.relation.display());
  p.jobs_note = choice.note;
  if (choice.ranges.empty()) return;
  // COPY t without a column list leaves generated columns out; so does this list.
  std::vector<std::string> columns = cols;
  if (p.source.columns.empty()) {
    columns.clear();
    for (const auto& c : f.relation.columns)
      if (!c.generated) columns.push_back(c.name);
  }
  CopyFormat rest = p.format;
  rest.header = false;
  for (std::size_t i = 0; i < choice.ranges.size(); ++i)
    p.range_sql.push_back(range_copy_sql(p.source, columns, i == 0 ? p.format : rest, choice.ranges[i]));
  p.jobs = choice.jobs;
}

}  // namespace

EncodingPlan requested_encoding(const ExportRequest& request) {
  const auto& e = request.dialect.encoding.value;
  return plan_encoding(e.empty() ? std::string("utf-8") : e);
}

ExportPlan plan_export(const ExportRequest& req, const ExportFacts& f) {
  ExportPlan p;
  p.dialect = req.dialect;
  csv::check_dialect(p.dialect);
  p.encoding = requested_encoding(req);
  const Relation& rel = f.relation;
  if (!rel.exists) {
    TableName name = parse_table_name(req.table, UnquotedParts::anything);
    throw JobError("table " + req.table + " does not exist", {}, missing_relation_hint(rel, name));
  }
  p.source.schema = rel.schema;
  p.source.table = rel.name;
  p.source.relkind = rel.relkind;
  const auto all = rel.column_names();
  if (!req.columns.empty()) {
    p.source.columns = match_columns(req.columns, all, "--columns", req.table);
    for (const auto& c : rel.columns)
      if (c.generated && std::find(p.source.columns.begin(), p.source.columns.end(), c.name) != p.source.columns.end())
        p.source.lists_generated = true;
  }
  const auto& cols = p.source.columns.empty() ? all : p.source.columns;
  p.format = CopyFormat::of(p.dialect);
  if (req.force_quote == std::vector<std::string>{"*"})
    p.format.force_quote = req.force_quote;
  else
    p.format.force_quote = match_columns(req.force_quote, cols, "--force-quote", req.table);
  if (f.server_encoding == "SQL_ASCII")  // "no conversion at all": the file would be in whatever the database holds
    throw UsageError("SQL_ASCII is not a file encoding", "use ascii for 7-bit output, or utf-8");
  if (f.server_encoding.empty())
    throw UsageError("unknown encoding " + req.dialect.encoding.value,
                     "use a name PostgreSQL knows (utf-8, latin1, win1252, iso-8859-2, ...) or utf-16, utf-16le, "
                     "utf-16be, ascii");
  p.format.encoding = f.server_encoding;
  if (p.dialect.line_ending == csv::LineEnding::crlf && is_client_only(f.server_encoding) &&
      static_cast<unsigned char>(p.dialect.quote.value) >= 0x40)
    throw UsageError("--crlf cannot track quoted fields in " + f.server_encoding + " with quote " +
                         std::string(1, p.dialect.quote.value),
                     "use the default quote character or utf-8");
  p.estimated_bytes = estimate_bytes(f, cols);
  if (p.encoding.client == ClientTranscode::utf16le || p.encoding.client == ClientTranscode::utf16be)
    p.estimated_bytes *= 2;
  p.encoding_shown = display_encoding(p.encoding, f.server_encoding);
  p.copy_sql = copy_to_sql(p.source, p.format);
  plan_sessions(req, f, cols, p);
  return p;
}

}  // namespace pgmonkey::transfer
