// Quoting of SQL identifiers and literals: the only way names and values enter SQL text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgmonkey::db {

// "name" with embedded double quotes doubled; always quoted, so case and keywords are kept.
std::string quote_ident(std::string_view name);
// "schema"."name", or "name" alone when schema is empty (resolved through search_path).
std::string quote_qualified(std::string_view schema, std::string_view name);
// "a", "b", "c": each name quoted, joined with ", " (a column list without its parentheses).
std::string quote_ident_list(const std::vector<std::string>& names);
// 'text' with embedded single quotes doubled (standard_conforming_strings is on since 9.1).
std::string quote_literal(std::string_view text);

}  // namespace pgmonkey::db
