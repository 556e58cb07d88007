// Parsing qualified table names.
#include "transfer/table_name.hpp"

#include <vector>

#include "core/error.hpp"
#include "db/quote.hpp"

namespace pgmonkey::transfer {
namespace {

bool ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool ident_char(unsigned char c) {
  return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  throw UsageError("invalid table name '" + text + "': " + why,
                   "write [schema.]table; put a name with other characters in double quotes, e.g. "
                   "'\"My Table\"'");
}

}  // namespace

std::string TableName::quoted() const {
  return db::quote_qualified(schema, table);
}

std::string TableName::quoted_as_written() const {
  return db::quote_qualified(schema_as_written, table_as_written);
}

std::string TableName::display() const {
  return schema.empty() ? table : schema + "." + table;
}

TableName parse_table_name(const std::string& text, UnquotedParts unquoted) {
  struct Part {
    std::string folded, written;
  };
  std::vector<Part> parts;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (true) {
    Part part;
    if (i < n && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            part.written += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        part.written += text[i++];
      }
      if (!closed) bad(text, "unterminated double quote");
      if (part.written.empty()) bad(text, "empty quoted name");
      part.folded = part.written;
    } else {
      std::size_t start = i;
      while (i < n && text[i] != '.') {
        auto c = static_cast<unsigned char>(text[i]);
        bool ok = unquoted == UnquotedParts::anything ? c != '"' : (i == start ? ident_start(c) : ident_char(c));
        if (!ok) bad(text, std::string("unexpected character '") + text[i] + "'");
        part.written += static_cast<char>(c);
        part.folded += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        ++i;
      }
      if (part.written.empty()) bad(text, "empty name part");
    }
    parts.push_back(part);
    if (i == n) break;
    if (text[i] != '.') bad(text, "expected '.' after a quoted name");
    ++i;
  }
  if (parts.size() > 2) bad(text, "more than schema.table");
  if (parts.size() == 2) return TableName{parts[0].folded, parts[1].folded, parts[0].written, parts[1].written};
  return TableName{"", parts[0].folded, "", parts[0].written};
}

}  // namespace pgmonkey::transfer
