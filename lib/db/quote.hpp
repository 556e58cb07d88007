// Quoting of SQL identifiers and literals: the only way names and values enter SQL text.
#pragma once

#include <string>
#include <string_view>

namespace pgmonkey::db {

// "name" with embedded double quotes doubled; always quoted, so case and keywords are kept.
std::string quote_ident(std::string_view name);
// 'text' with embedded single quotes doubled (standard_conforming_strings is on since 9.1).
std::string quote_literal(std::string_view text);

}  // namespace pgmonkey::db
