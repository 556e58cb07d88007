// Values no PostgreSQL version (12 to 17) reads as a number, found on the client so that
// --max-errors sets them aside without a round trip to the server.
#pragma once

#include <string>
#include <string_view>

namespace pgmonkey::csv {

// The whitespace PostgreSQL's number input skips around a value (C's isspace), and a digit.
inline bool number_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
inline bool decimal_digit(char c) {
  return c >= '0' && c <= '9';
}

// The built-in types whose input syntax this knows: "smallint", "integer", "bigint" and
// "numeric" (with or without a precision); nullptr for any other type (domains, floats, ...).
const char* number_type_name(std::string_view format_type);

// True only when `value` cannot be read as a number by any of those types on any version: it
// checks a superset of their syntax (whitespace, sign, digits with underscores, a point, an
// exponent, 0x/0o/0b prefixes, NaN and infinities; anything non-ASCII is let through), so a value it lets through may
// still be refused by the server (1.5 into an integer, out of range), but one it flags always is.
bool certainly_not_a_number(std::string_view value);

// The server's own message for such a value, e.g. `invalid input syntax for type numeric: "x"`.
std::string number_syntax_message(const char* type_name, std::string_view value);

}  // namespace pgmonkey::csv
