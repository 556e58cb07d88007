// The export job: one table (or view) to a CSV file or stdout, in one consistent snapshot.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "transfer/export_options.hpp"

namespace pgmonkey::db {
class Connection;
}

namespace pgmonkey::transfer {

struct ExportRequest {
  std::string table;                 // [schema.]table; "double quotes" keep case and dots (table_name.hpp)
  std::string output;                // file path, or "-" for standard output
  bool force = false;                // replace an existing file
  std::vector<std::string> columns;  // empty: all columns in table order
  ExportDialect dialect;
};

struct ExportProgress {
  std::uint64_t rows = 0;             // rows received so far
  std::uint64_t bytes = 0;            // bytes written so far
  std::uint64_t estimated_bytes = 0;  // 0 when unknown (a view, or a never-analysed empty table)
  double seconds = 0;
};
using ProgressFn = std::function<void(const ExportProgress&)>;

struct ExportResult {
  std::string table;  // schema.table as found
  std::string output;
  std::string encoding;  // what the file is in, e.g. UTF8, LATIN1, UTF-16LE
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
  core::Json to_json() const;
};

// pgmonkey's default file name: the table name (without schema) plus .csv, in the current folder.
std::string default_output_for(const std::string& table);

// Runs the export in a REPEATABLE READ READ ONLY transaction. The file appears only if all went
// well; any failure, including SIGINT/SIGTERM (turned into InterruptedError), leaves the target
// as it was and no temp file behind. Throws the toolkit's typed errors.
ExportResult run_export(db::Connection& conn, const ExportRequest& request, const ProgressFn& on_progress = {});

}  // namespace pgmonkey::transfer
