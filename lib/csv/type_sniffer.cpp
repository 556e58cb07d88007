// Recognisers for the inferable column types.
#include "csv/type_sniffer.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "core/strings.hpp"

namespace pgmonkey::csv {
namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at `i`.
bool digits(std::string_view s, std::size_t& i, std::size_t n, int& value) {
  value = 0;
  for (std::size_t k = 0; k < n; ++k, ++i) {
    if (i >= s.size() || !digit(s[i])) return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

bool no_leading_zero(std::string_view digits_part) {
  return !(digits_part.size() > 1 && digits_part[0] == '0');
}

bool is_integer(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  std::string_view d = s.substr(i);
  if (d.empty() || d.size() > 19) return false;
  for (char c : d)
    if (!digit(c)) return false;
  if (!no_leading_zero(d)) return false;
  errno = 0;
  std::string copy(s);
  (void)std::strtoll(copy.c_str(), nullptr, 10);
  return errno != ERANGE;
}

bool is_numeric(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  std::size_t int_start = i;
  while (i < s.size() && digit(s[i])) ++i;
  std::string_view int_part = s.substr(int_start, i - int_start);
  std::size_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t f = i;
    while (i < s.size() && digit(s[i])) ++i;
    frac = i - f;
  }
  if (int_part.empty() && frac == 0) return false;
  if (!no_leading_zero(int_part)) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t e = i;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == e) return false;
  }
  return i == s.size();
}

bool is_date_at(std::string_view s, std::size_t& i) {
  int y, m, d;
  if (!digits(s, i, 4, y) || i >= s.size() || s[i++] != '-' || !digits(s, i, 2, m) || i >= s.size() || s[i++] != '-' ||
      !digits(s, i, 2, d))
    return false;
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > days[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

bool is_time_at(std::string_view s, std::size_t& i) {
  int h, mi, sec;
  if (!digits(s, i, 2, h) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, mi)) return false;
  if (h > 23 || mi > 59) return false;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!digits(s, i, 2, sec) || sec > 60) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      std::size_t f = i;
      while (i < s.size() && digit(s[i])) ++i;
      if (i == f) return false;
    }
  }
  return true;
}

// Date, then ' ' or 'T', then a time; `zone` says whether an offset must (true) or must not follow.
bool is_timestamp(std::string_view s, bool zone) {
  std::size_t i = 0;
  if (!is_date_at(s, i) || i >= s.size() || (s[i] != ' ' && s[i] != 'T')) return false;
  ++i;
  if (!is_time_at(s, i)) return false;
  if (i < s.size() && s[i] == ' ') ++i;
  if (i == s.size()) return !zone;
  if (!zone) return false;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  ++i;
  int h, m;
  if (!digits(s, i, 2, h) || h > 15) return false;
  if (i == s.size()) return true;
  if (s[i] == ':') ++i;
  return digits(s, i, 2, m) && m < 60 && i == s.size();
}

}  // namespace

const char* sql_name(ColumnType t) {
  switch (t) {
    case ColumnType::boolean:
      return "boolean";
    case ColumnType::bigint:
      return "bigint";
    case ColumnType::numeric:
      return "numeric";
    case ColumnType::date:
      return "date";
    case ColumnType::timestamp:
      return "timestamp";
    case ColumnType::timestamptz:
      return "timestamptz";
    case ColumnType::text:
      return "text";
  }
  return "text";
}

const std::vector<ColumnType>& candidate_types() {
  static const std::vector<ColumnType> c{ColumnType::boolean, ColumnType::bigint,    ColumnType::numeric,
                                         ColumnType::date,    ColumnType::timestamp, ColumnType::timestamptz,
                                         ColumnType::text};
  return c;
}

bool value_fits(ColumnType t, std::string_view raw) {
  std::string_view v = raw;
  switch (t) {
    case ColumnType::boolean: {
      std::string l = core::to_lower(v);
      return l == "true" || l == "false" || l == "t" || l == "f" || l == "yes" || l == "no";
    }
    case ColumnType::bigint:
      return is_integer(v);
    case ColumnType::numeric:
      return is_numeric(v);
    case ColumnType::date: {
      std::size_t i = 0;
      return is_date_at(v, i) && i == v.size();
    }
    case ColumnType::timestamp:
      return is_timestamp(v, false);
    case ColumnType::timestamptz:
      return is_timestamp(v, true);
    case ColumnType::text:
      return true;
  }
  return false;
}

bool NullRule::is_null(const Field& f, std::size_t column) const {
  const bool keep = column < keep_empty.size() && keep_empty[column];
  if (!f.quoted) return f.text == null_string && !(keep && f.text.empty());
  return empty_as_null && f.text.empty();
}

std::vector<ColumnType> infer_types(const std::vector<Record>& records, std::size_t columns, const NullRule& nulls) {
  std::vector<ColumnType> types(columns, ColumnType::text);
  for (std::size_t c = 0; c < columns; ++c) {
    bool any = false;
    for (const auto& r : records)
      if (c < r.size() && !nulls.is_null(r[c], c)) any = true;
    if (!any) continue;  // nothing to go on: text
    for (ColumnType t : candidate_types()) {
      bool all = true;
      for (const auto& r : records) {
        if (c >= r.size() || nulls.is_null(r[c], c)) continue;
        if (!value_fits(t, r[c].text)) {
          all = false;
          break;
        }
      }
      if (all) {
        types[c] = t;
        break;
      }
    }
  }
  return types;
}

}  // namespace pgmonkey::csv
