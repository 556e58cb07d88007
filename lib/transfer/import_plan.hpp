// pgimport's plan: flags + sidecar + sniffed sample + catalog facts → the load, decided without
// a server (like the audit's judge), so every rule here is unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "csv/dialect.hpp"
#include "csv/sniffer.hpp"
#include "encoding/detect.hpp"
#include "transfer/dialect_flags.hpp"
#include "transfer/load_marks.hpp"
#include "transfer/relation.hpp"
#include "transfer/table_name.hpp"

namespace pgmonkey::transfer {

struct ImportOptions {
  std::string file;           // path, or "-" for standard input
  std::string table;          // [schema.]table as written
  std::string import_config;  // --import-config PATH; empty: the sidecar next to the file
  bool write_import_config = false;
  DialectFlags dialect;           // --delimiter, --quote, --encoding, --header/--no-header, --null
  std::optional<bool> create;     // --no-create → false
  std::optional<bool> lowercase;  // --keep-case → false
  bool truncate = false;
  bool infer_types = false;
  bool empty_as_null = false;
  std::vector<std::string> force_not_null;
  bool dry_run = false;
  std::uint64_t max_errors = 0;        // --max-errors: rejects allowed (0: the first bad record fails the import)
  std::uint64_t rejected_before = 0;   // several files: what the earlier ones rejected counts toward max_errors
  std::string reject_file;             // --reject-file; empty: default_reject_path(file)
  bool force = false;                  // --force: replace an existing reject file
  unsigned jobs = 1;                   // --jobs: sessions loading in parallel (1: the one-transaction path)
  std::size_t chunk_bytes = 2u << 20;  // --jobs: COPY bytes per chunk handed to a session
};

// What reading the file found, before any connection.
struct FileFacts {
  std::string source;                 // file name or "standard input"
  std::optional<std::uint64_t> size;  // bytes, when known
  encoding::EncodingChoice encoding;
  bool transcoding = false;  // converted to UTF-8 on the client
  csv::SniffResult sniffed;  // its dialect carries who set each option
  std::string sidecar;       // the sidecar used (empty: none)
  bool create = true;        // from --no-create or auto_create_table
  bool lowercase = true;     // from --keep-case or enforce_lowercase
};

// How a load stays all or nothing: one transaction (single), N sessions into a new table created
// under a hidden name and renamed at the end (rename), N prepared transactions committed together
// (two_phase).
enum class LoadMethod { single, rename, two_phase };
const char* to_string(LoadMethod method);

// One column of the load: the file's header field and the table column it goes to.
struct ColumnPlan {
  std::string field;   // as in the file's header (or col_N without one)
  std::string column;  // the table column
  std::string type;    // the table column's type (or the type it will be created with)
};

// Everything decided before any row is sent; --dry-run prints it.
struct ImportPlan {
  std::string source;
  std::optional<std::uint64_t> size;
  encoding::EncodingChoice encoding;
  bool transcoding = false;
  csv::Dialect dialect;
  std::size_t fields = 0;                // per record, as in the file
  std::size_t drop_trailing_fields = 0;  // empty trailing fields not loaded (a spreadsheet's trailing delimiter)
  std::string sidecar;                   // import config used (empty: none)
  std::string table;                     // schema.table for messages
  bool create = false;                   // the table is created
  bool truncate = false;
  std::string ddl;           // CREATE TABLE ..., when create
  std::string truncate_sql;  // TRUNCATE ..., when truncate
  std::string copy_sql;
  std::vector<ColumnPlan> columns;
  std::vector<std::string> table_columns_defaulted;  // existing columns not in the file
  // The table's CHECK constraints, when a record's values alone decide them (a plain table
  // without BEFORE INSERT row triggers): --max-errors judges the simple ones on the client.
  std::vector<RelationCheck> checks;
  std::vector<std::string> not_null_columns;  // likewise: NOT NULL columns an unquoted empty field makes NULL
  std::string relation_name;                  // the table's name as the server's messages spell it
  std::vector<std::string> warnings;          // said before the data is sent
  unsigned jobs = 1;                          // sessions that load
  LoadMethod method = LoadMethod::single;
  std::string load_table;     // rename: the hidden name the table is created and loaded under (display)
  std::string load_ddl;       // rename: CREATE TABLE under that name
  std::string load_copy_sql;  // rename: COPY into it

  core::Json to_json() const;
};

// What the server says about running several sessions.
struct SessionFacts {
  unsigned jobs = 1;                 // --jobs
  std::optional<long> max_prepared;  // max_prepared_transactions (asked for an existing table)
};

// Pure: the sessions and the method for `plan` (already planned against `target`). Never gives
// up atomicity: where N sessions cannot be all or nothing it plans one and says why in a warning.
void plan_sessions(ImportPlan& plan, const Relation& target, const SessionFacts& facts);

// Pure: for the rename method, the hidden name `run` creates and loads the new table under
// (load_marks' hidden_table_name), with its CREATE TABLE and COPY.
void plan_hidden_table(ImportPlan& plan, const ImportOptions& options, const FileFacts& file, const Relation& target,
                       const LoadRun& run);

// Pure. Throws UsageError (options COPY would refuse, unknown --force-not-null names) and
// JobError (a header that matches no column, a missing table with --no-create, a relation COPY
// cannot load).
ImportPlan plan_import(const ImportOptions& options, const FileFacts& file, const Relation& target);

// CREATE TABLE for new columns (every identifier quoted); `table` is already quoted.
std::string create_table_sql(const std::string& table, const std::vector<std::string>& columns,
                             const std::vector<csv::ColumnType>& types);

}  // namespace pgmonkey::transfer
