// Quoting of SQL identifiers and literals.
#include "db/quote.hpp"

namespace pgmonkey::db {
namespace {

std::string quote_with(std::string_view s, char q) {
  std::string out;
  out.reserve(s.size() + 2);
  out += q;
  for (char c : s) {
    if (c == q) out += q;
    out += c;
  }
  out += q;
  return out;
}

}  // namespace

std::string quote_ident(std::string_view name) {
  return quote_with(name, '"');
}

std::string quote_qualified(std::string_view schema, std::string_view name) {
  return schema.empty() ? quote_ident(name) : quote_ident(schema) + "." + quote_ident(name);
}

std::string quote_ident_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += quote_ident(n);
  }
  return out;
}

std::string quote_literal(std::string_view text) {
  // A backslash makes PostgreSQL want E'' syntax only when standard_conforming_strings is off;
  // use it then so the literal means the same either way.
  std::string q = quote_with(text, '\'');
  if (text.find('\\') == std::string_view::npos) return q;
  std::string out = " E'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

}  // namespace pgmonkey::db
