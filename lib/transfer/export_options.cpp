// Dialect resolution (flags > sidecar > defaults), encoding plans and the COPY statement text.
#include "transfer/export_options.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/quote.hpp"

namespace pgmonkey::transfer {
namespace {

// Lower case without '-', '_', '.', ' ': "ISO-8859-1" and "iso_8859_1" compare equal.
std::string squash(const std::string& name) {
  std::string out;
  for (unsigned char c : name)
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  return out;
}

std::string printable(char c) {
  if (c == '\t') return "tab";
  return std::string("'") + c + "'";
}

}  // namespace

Sidecar load_sidecar(const std::string& path) {
  Sidecar s;
  s.path = path;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw ConfigError("cannot read the export config " + path, e.what(),
                      "fix the file or remove it; flags such as --delimiter work without it");
  }
  if (root.IsNull()) return s;
  if (!root.IsMap())
    throw ConfigError("the export config " + path + " is not a mapping", {},
                      "write it as 'delimiter: \",\"', 'quotechar: \"\\\"\"', 'encoding: utf-8' lines");
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    if (!kv.second.IsScalar()) throw ConfigError("the export config " + path + ": " + key + " must be a single value");
    std::string value = kv.second.as<std::string>();
    if (key == "delimiter")
      s.delimiter = value;
    else if (key == "quotechar")
      s.quotechar = value;
    else if (key == "encoding")
      s.encoding = value;
    else if (key == "has_headers") {
      s.has_headers = core::parse_bool(value);
      if (!s.has_headers)
        throw ConfigError("the export config " + path + ": has_headers must be true or false, not '" + value + "'");
    } else if (key != "auto_create_table" && key != "enforce_lowercase") {
      // Those two are pgmonkey's import settings: one file may serve both directions.
      std::string guess = core::did_you_mean(key, {"delimiter", "quotechar", "encoding", "has_headers"});
      s.warnings.push_back(path + ": '" + key +
                           "' is not an export setting (known: delimiter, quotechar, encoding, has_headers)" +
                           (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
    }
  }
  return s;
}

char parse_dialect_char(const std::string& value, const std::string& what) {
  if (value == "\\t" || core::to_lower(value) == "tab") return '\t';
  if (value.size() != 1)
    throw UsageError(what + " must be a single one-byte character, not '" + value + "'", "write \\t or tab for a tab");
  char c = value[0];
  if (c == '\n' || c == '\r') throw UsageError(what + " cannot be a newline or carriage return");
  if (static_cast<unsigned char>(c) >= 0x80)
    throw UsageError(what + " must be an ASCII character", "PostgreSQL's COPY accepts one-byte characters only");
  return c;
}

std::vector<std::string> split_column_list(const std::string& list, const std::string& what) {
  // Names are separated by commas; a "double-quoted" name is taken exactly (commas, spaces, ""
  // for a quote), as in SQL.
  std::vector<std::string> out;
  std::size_t i = 0;
  const std::size_t n = list.size();
  auto skip_spaces = [&] {
    while (i < n && std::isspace(static_cast<unsigned char>(list[i]))) ++i;
  };
  for (;;) {
    skip_spaces();
    std::string name;
    if (i < n && list[i] == '"') {
      bool closed = false;
      for (++i; i < n; ++i) {
        if (list[i] != '"') {
          name += list[i];
        } else if (i + 1 < n && list[i + 1] == '"') {
          name += '"';
          ++i;
        } else {
          closed = true;
          ++i;
          break;
        }
      }
      if (!closed) throw UsageError(what + " has an unclosed double quote: '" + list + "'");
      skip_spaces();
      if (i < n && list[i] != ',') throw UsageError(what + ": expected a comma after the quoted name \"" + name + "\"");
    } else {
      auto comma = list.find(',', i);
      name = core::trim(list.substr(i, comma == std::string::npos ? std::string::npos : comma - i));
      i = comma == std::string::npos ? n : comma;
    }
    if (name.empty()) throw UsageError(what + " has an empty column name: '" + list + "'");
    out.push_back(name);
    if (i >= n) return out;
    ++i;  // the comma
  }
}

ExportDialect resolve_dialect(const DialectFlags& flags, const std::optional<Sidecar>& sidecar) {
  ExportDialect d;
  auto pick = [&](const std::optional<std::string>& flag, const char* flag_name,
                  const std::optional<std::string> Sidecar::*field, std::string& source) -> std::optional<std::string> {
    if (flag) {
      source = flag_name;
      return flag;
    }
    if (sidecar && (*sidecar).*field) {
      source = sidecar->path;
      return (*sidecar).*field;
    }
    return std::nullopt;
  };
  if (auto v = pick(flags.delimiter, "--delimiter", &Sidecar::delimiter, d.delimiter_source))
    d.delimiter = parse_dialect_char(*v, "the delimiter (from " + d.delimiter_source + ")");
  if (auto v = pick(flags.quote, "--quote", &Sidecar::quotechar, d.quote_source))
    d.quote = parse_dialect_char(*v, "the quote character (from " + d.quote_source + ")");
  if (auto v = pick(flags.encoding, "--encoding", &Sidecar::encoding, d.encoding_source)) d.encoding = *v;
  if (flags.header)
    d.header = *flags.header;
  else if (sidecar && sidecar->has_headers)
    d.header = *sidecar->has_headers;
  d.null_string = flags.null_string;
  if (flags.force_quote) {
    if (core::trim(*flags.force_quote) == "*")
      d.force_quote = {"*"};
    else
      d.force_quote = split_column_list(*flags.force_quote, "--force-quote");
  }
  d.crlf = flags.crlf;
  return d;
}

EncodingPlan plan_encoding(const std::string& name) {
  std::string key = squash(name);
  EncodingPlan p;
  p.server_encoding = "UTF8";
  if (key.empty()) throw UsageError("the encoding name is empty");
  if (key == "utf16" || key == "utf16le") {
    p.client = ClientTranscode::utf16le;
    p.bom = "\xFF\xFE";
  } else if (key == "utf16be") {
    p.client = ClientTranscode::utf16be;
    p.bom = "\xFE\xFF";
  } else if (key == "ascii" || key == "usascii") {
    p.client = ClientTranscode::ascii_check;
  } else if (key == "utf8sig") {
    p.bom = "\xEF\xBB\xBF";
  } else if (key.size() > 2 && key.compare(0, 2, "cp") == 0 && core::parse_int(key.substr(2))) {
    p.server_encoding = "WIN" + key.substr(2);  // Python's cp1252 is PostgreSQL's WIN1252
  } else {
    p.server_encoding = name;
  }
  return p;
}

void validate_dialect(const ExportDialect& d) {
  if (d.delimiter == d.quote)
    throw UsageError("the delimiter and the quote character are both " + printable(d.delimiter),
                     "choose different characters with --delimiter and --quote");
  if (d.null_string) {
    if (d.null_string->find(d.delimiter) != std::string::npos)
      throw UsageError("--null must not contain the delimiter " + printable(d.delimiter));
    if (d.null_string->find(d.quote) != std::string::npos)
      throw UsageError("--null must not contain the quote character " + printable(d.quote));
    if (d.null_string->find_first_of("\r\n") != std::string::npos)
      throw UsageError("--null must not contain a newline or carriage return");
  }
}

std::string build_copy_sql(const CopySource& source, const ExportDialect& d, const std::string& server_encoding) {
  std::string relation = db::quote_qualified(source.schema, source.table);
  std::string cols = db::quote_ident_list(source.columns);
  std::string what;
  if (source.relkind == 'r' && !source.lists_generated) {
    what = relation;
    if (!cols.empty()) what += " (" + cols + ")";
  } else {
    // COPY reads only plain tables and no generated columns; the rest goes through a query
    // with the same output.
    what = "(SELECT " + (cols.empty() ? std::string("*") : cols) + " FROM " + relation + ")";
  }
  std::vector<std::string> opts = {"FORMAT csv", std::string("HEADER ") + (d.header ? "true" : "false"),
                                   "DELIMITER " + db::quote_literal(std::string(1, d.delimiter)),
                                   "QUOTE " + db::quote_literal(std::string(1, d.quote))};
  if (d.null_string) opts.push_back("NULL " + db::quote_literal(*d.null_string));
  if (d.force_quote == std::vector<std::string>{"*"}) {
    opts.push_back("FORCE_QUOTE *");
  } else if (!d.force_quote.empty()) {
    opts.push_back("FORCE_QUOTE (" + db::quote_ident_list(d.force_quote) + ")");
  }
  opts.push_back("ENCODING " + db::quote_literal(server_encoding));
  return "COPY " + what + " TO STDOUT WITH (" + core::join(opts, ", ") + ")";
}

}  // namespace pgmonkey::transfer
