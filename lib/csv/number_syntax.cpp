// Values no PostgreSQL version reads as a number.
#include "csv/number_syntax.hpp"

#include <cctype>

namespace pgmonkey::csv {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

const char* number_type_name(std::string_view t) {
  if (t == "smallint") return "smallint";
  if (t == "integer") return "integer";
  if (t == "bigint") return "bigint";
  if (t == "numeric" || (t.substr(0, 8) == "numeric(" && t.back() == ')')) return "numeric";
  return nullptr;
}

bool certainly_not_a_number(std::string_view v) {
  // A server whose locale counts some non-ASCII byte as a space might still read it: not certain.
  for (char c : v)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  while (!v.empty() && number_space(v.front())) v.remove_prefix(1);
  while (!v.empty() && number_space(v.back())) v.remove_suffix(1);
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) v.remove_prefix(1);
  if (iequals(v, "nan") || iequals(v, "infinity") || iequals(v, "inf")) return false;
  // PostgreSQL 16's non-decimal integers (also accepted by numeric), underscores included.
  if (v.size() > 2 && v[0] == '0' && std::string_view("xXoObB").find(v[1]) != std::string_view::npos) {
    for (char c : v.substr(2))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '_') return true;
    return false;
  }
  // Decimal: digits (and underscores) with at most one point, then an optional exponent.
  std::size_t i = 0, digits = 0;
  bool point = false;
  for (; i < v.size(); ++i) {
    if (decimal_digit(v[i])) {
      ++digits;
    } else if (v[i] == '.' && !point) {
      point = true;
    } else if (v[i] != '_') {
      break;
    }
  }
  if (digits == 0) return true;
  if (i == v.size()) return false;
  if (v[i] != 'e' && v[i] != 'E') return true;
  ++i;
  while (i < v.size() && number_space(v[i])) ++i;  // PostgreSQL 12-15 read the exponent with strtol
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  std::size_t exponent_digits = 0;
  for (; i < v.size(); ++i) {
    if (decimal_digit(v[i])) {
      ++exponent_digits;
    } else if (v[i] != '_') {
      return true;
    }
  }
  return exponent_digits == 0;
}

std::string number_syntax_message(const char* type_name, std::string_view value) {
  return std::string("invalid input syntax for type ") + type_name + ": \"" + std::string(value) + "\"";
}

}  // namespace pgmonkey::csv
