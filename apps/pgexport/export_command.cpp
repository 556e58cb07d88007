// Wiring pgexport's flags to the export job and rendering its progress and summary.
#include "pgexport/export_command.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "common/output.hpp"
#include "common/progress.hpp"
#include "compress/compression.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/connection.hpp"
#include "transfer/export_job.hpp"
#include "transfer/sidecar_path.hpp"

namespace pgmonkey::app::pgexport {
namespace {

// "exported 1000 rows (52.1 kB) from public.t to t.csv in 0.12 s, UTF8";
// compressed: "(52.1 kB as 9.8 kB gzip)"
std::string summary(const transfer::ExportResult& r) {
  std::string size = human_bytes(static_cast<double>(r.bytes));
  if (!r.compression.empty())
    size += " as " + human_bytes(static_cast<double>(r.compressed_bytes)) + " " + r.compression;
  return fmt::format("exported {} row{} ({}) from {} to {} in {:.2f} s, {}{}", r.rows, r.rows == 1 ? "" : "s", size,
                     r.table, r.output == "-" ? std::string("standard output") : r.output, r.seconds, r.encoding,
                     r.jobs > 1 ? fmt::format(", {} sessions", r.jobs) : std::string());
}

// --dry-run: where the data would go, how many sessions and why, and the statements.
void print_dry_run(const transfer::ExportResult& r) {
  out("source: " + r.table);
  out("output: " + (r.output == "-" ? std::string("standard output") : r.output) + ", " + r.encoding +
      (r.compression.empty() ? std::string() : ", " + r.compression));
  out(fmt::format("sessions: {} ({}){}", r.jobs, r.method, r.jobs_note.empty() ? "" : ": " + r.jobs_note));
  out("plan:");
  for (const auto& s : r.statements) out("  " + s + (core::starts_with(s, "--") ? "" : ";"));
  out("dry run: nothing was written");
}

// --compress over the output's suffix; -o - is compressed only when asked. Levels are checked.
void choose_compression(const Options& o, transfer::ExportRequest& req) {
  if (o.compress) {
    auto f = compress::parse(*o.compress);
    if (!f)
      throw UsageError("--compress " + *o.compress + ": not a compression format", "use gzip, zstd, bzip2, xz or none");
    req.compression = *f;
  } else if (o.output != "-") {
    req.compression = compress::from_extension(o.output);
  }
  auto range = compress::levels(req.compression);
  if (o.compress_level) {
    if (req.compression == compress::Format::none)
      throw UsageError("--compress-level needs a compressed output",
                       "name the output .gz, .zst, .bz2 or .xz, or pass --compress FORMAT");
    if (*o.compress_level < range.min || *o.compress_level > range.max)
      throw UsageError(fmt::format("--compress-level {}: {} levels go from {} to {}", *o.compress_level,
                                   compress::name(req.compression), range.min, range.max));
  }
  req.compression_level = o.compress_level.value_or(range.fallback);
}

// Blocks per range for --jobs, from a variable the tests set to split small tables into many
// ranges; not documented for users. 0: the default.
std::uint64_t range_blocks_from_env() {
  const char* v = std::getenv("PGMONKEY_EXPORT_RANGE_BLOCKS");
  if (!v) return 0;
  auto n = core::parse_int(v);
  return n && *n > 0 ? static_cast<std::uint64_t>(*n) : 0;
}

}  // namespace

void setup(CLI::App& app, CommonOptions& common, Options& o) {
  add_connection_options(app, common);
  app.add_option("-t,--table", o.table, "Table or view to export: [schema.]table")->required();
  app.add_option("-o,--output,--export_file,--export-file", o.output,
                 "CSV file to write, - for standard output (default: TABLE.csv here)");
  app.add_flag("--force", o.force, "Replace an existing output file");
  app.add_option("--columns", o.columns, "Export only these columns, in this order: a,b,c");
  app.add_option("--delimiter", o.dialect.delimiter, "Field delimiter (default ,; \\t or tab for a tab)");
  app.add_option("--quote,--quotechar", o.dialect.quote, "Quote character (default \")");
  auto* header = app.add_flag_callback(
      "--header", [&o] { o.dialect.header = true; }, "Write a header line (the default)");
  app.add_flag_callback(
         "--no-header", [&o] { o.dialect.header = false; }, "Do not write a header line")
      ->excludes(header);
  app.add_option("--null", o.dialect.null_string, "Write NULL as this string (default: an empty field)");
  app.add_option("--force-quote", o.force_quote, "Always quote these columns: a,b or *");
  app.add_flag("--crlf", o.crlf, "End records with CRLF (newlines inside fields are kept)");
  app.add_option("--encoding", o.dialect.encoding,
                 "File encoding: any PostgreSQL client encoding, utf-16 (LE with BOM), utf-16le, utf-16be, ascii");
  app.add_option(
      "--export-config,--export_config", o.sidecar,
      "pgmonkey export config: delimiter, quotechar, encoding, has_headers (default: data.yaml or data.csv.yaml next "
      "to data.csv)");
  app.add_option("--compress", o.compress,
                 "Compress the output: gzip, zstd, bzip2, xz or none (default: by -o's suffix .gz .zst .bz2 .xz; "
                 "none for -o -)")
      ->type_name("TEXT:{gzip,zstd,bzip2,xz,none}");  // the choices reach --help and the completions
  app.add_option("--compress-level", o.compress_level,
                 "Compression level: gzip 1-9 (6), zstd 1-19 (3), bzip2 1-9 (9), xz 0-9 (6)");
  app.add_option("-j,--jobs", o.jobs,
                 "Read a big table with N sessions in one snapshot, block ranges in parallel (default 1)")
      ->check(CLI::Range(1, kMaxJobs));
  app.add_flag("--dry-run", o.dry_run, "Print the plan (sessions, COPY statements); write nothing");
  app.add_option("--progress", o.progress, "Progress bar on stderr: auto (on a TTY), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  add_common_options(app, common);
}

int run(const CommonOptions& common, Options& o) {
  if (o.output.empty()) o.output = transfer::default_output_for(o.table);
  if (o.output == "-") results_to_stderr();  // the data owns stdout
  auto cfg = load_config(common);
  std::string sidecar_path = o.sidecar.empty() ? transfer::find_sidecar(o.output, cfg.path) : o.sidecar;
  std::optional<transfer::Sidecar> sidecar;
  if (!sidecar_path.empty()) {
    sidecar = transfer::load_sidecar(sidecar_path, "export config");
    for (const auto& w : sidecar->warnings) warn(w);
    debug("export config: " + sidecar_path);
  }
  transfer::ExportRequest req;
  req.table = o.table;
  req.output = o.output;
  req.force = o.force;
  if (o.columns) req.columns = transfer::split_column_list(*o.columns, "--columns");
  req.dialect = transfer::given_dialect(o.dialect, sidecar ? &*sidecar : nullptr);
  if (o.crlf) req.dialect.line_ending = csv::LineEnding::crlf;
  if (o.force_quote)
    req.force_quote = core::trim(*o.force_quote) == "*" ? std::vector<std::string>{"*"}
                                                        : transfer::split_column_list(*o.force_quote, "--force-quote");
  choose_compression(o, req);
  req.jobs = o.jobs;
  req.dry_run = o.dry_run;
  req.range_blocks = range_blocks_from_env();
  const auto& d = req.dialect;
  debug(d.describe() + ", encoding " + (d.encoding.value.empty() ? "utf-8" : d.encoding.value) + " (" +
        d.origin(d.encoding.source) + ")");

  auto conn = db::connect(cfg, "pgexport");
  db::apply_session_settings(*conn, db::bulk_session_settings(cfg));
  // The JSON document is the only thing a script reads: no bar next to it.
  ProgressBar bar("pgexport", o.progress, common.quiet || common.json());
  transfer::Callbacks callbacks;
  if (bar.enabled()) callbacks.on_progress = [&](const transfer::Progress& p) { bar.update(p); };
  callbacks.on_warning = [](const std::string& w) { warn(w); };
  // --jobs: the other sessions come the same way, with the same session settings.
  auto open_session = [&cfg] {
    auto more = db::connect(cfg, "pgexport");
    db::apply_session_settings(*more, db::bulk_session_settings(cfg));
    return more;
  };
  auto result = transfer::run_export(*conn, req, callbacks, open_session);  // the bar clears itself when this throws
  bar.finish();
  if (!result.jobs_note.empty()) debug(result.jobs_note);
  // With -o - the summary goes to stderr (results_to_stderr above): the JSON document, -q or not,
  // as its last line; the text line as a diagnostic that -q silences.
  if (result.dry_run && !common.json()) {
    print_dry_run(result);
    return 0;
  }
  if (common.json())
    out(result.to_json().dump());
  else
    (o.output == "-" ? info : out)(summary(result));
  return 0;
}

}  // namespace pgmonkey::app::pgexport
