// What pgexport writes: the CSV dialect, its encoding plan, pgmonkey's sidecar file and the COPY text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "transfer/sidecar_path.hpp"

namespace pgmonkey::transfer {

// The dialect as resolved from flags, the sidecar file and defaults. The defaults give exactly
// what `psql \copy t TO f WITH (FORMAT csv, HEADER)` writes.
struct ExportDialect {
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  std::optional<std::string> null_string;  // nullopt: CSV's default, an unquoted empty field
  std::vector<std::string> force_quote;    // column names, or {"*"}
  bool crlf = false;
  std::string encoding = "utf-8";  // as the user wrote it
  // Where delimiter/quote/encoding came from: "--delimiter", "FILE.yaml" or "default".
  std::string delimiter_source = "default", quote_source = "default", encoding_source = "default";
};

// pgmonkey's export config next to the CSV file (delimiter, quotechar, encoding), plus
// has_headers, so that one file shared with pgimport describes the same CSV both ways.
struct Sidecar {
  std::string path;
  std::optional<std::string> delimiter, quotechar, encoding;
  std::optional<bool> has_headers;
  std::vector<std::string> warnings;  // unknown keys, for the app to show
};

// Found with find_sidecar (transfer/sidecar_path.hpp), as pgimport finds its own.
// Throws ConfigError when the file is not a YAML mapping of strings.
Sidecar load_sidecar(const std::string& path);

// Dialect values as given on the command line; unset ones fall back to the sidecar, then defaults.
struct DialectFlags {
  std::optional<std::string> delimiter, quote, null_string, encoding, force_quote;
  std::optional<bool> header;
  bool crlf = false;
};
ExportDialect resolve_dialect(const DialectFlags& flags, const std::optional<Sidecar>& sidecar);

// One single-byte character for DELIMITER/QUOTE; "\t" (two characters) and "tab" mean a tab,
// as in pgmonkey. Throws UsageError naming `what` otherwise.
char parse_dialect_char(const std::string& value, const std::string& what);
// "a, b,c" -> {"a","b","c"}; a "double-quoted" name is taken exactly (commas, spaces, "" for a
// quote). Throws UsageError on an empty name or an unclosed quote.
std::vector<std::string> split_column_list(const std::string& list, const std::string& what);

// How the bytes the server sends become the file's bytes.
enum class ClientTranscode { none, utf16le, utf16be, ascii_check };
struct EncodingPlan {
  std::string server_encoding;  // for COPY's ENCODING option (the server converts)
  ClientTranscode client = ClientTranscode::none;
  std::string bom;  // written before the data
};
// utf-16 (= UTF-16LE with BOM), utf-16le/be (with BOM) and ascii are done client-side from
// UTF8; utf-8-sig adds a UTF-8 BOM; Python's cpNNNN names map to PostgreSQL's WINNNNN; every
// other name is passed to the server, which knows its own aliases (latin1, iso-8859-1, ...).
EncodingPlan plan_encoding(const std::string& name);

// The relation to copy, as found in the catalog.
struct CopySource {
  std::string schema;
  std::string table;
  char relkind = 'r';                // views, materialized views, foreign and partitioned tables need a query
  std::vector<std::string> columns;  // chosen columns in order; empty: all, in table order
  bool lists_generated = false;      // `columns` names a generated column, which COPY t (cols) refuses
};
// Checks the combination of dialect values PostgreSQL would reject, as a usage error.
void validate_dialect(const ExportDialect& dialect);
// COPY ... TO STDOUT WITH (FORMAT csv, ...) with every name and value quoted.
std::string build_copy_sql(const CopySource& source, const ExportDialect& dialect, const std::string& server_encoding);

}  // namespace pgmonkey::transfer
