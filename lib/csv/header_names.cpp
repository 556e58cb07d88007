// Column name normalisation and matching.
#include "csv/header_names.hpp"

#include <set>

#include "core/strings.hpp"

namespace pgmonkey::csv {
namespace {

bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

// Cuts to at most `max` bytes without splitting a UTF-8 sequence.
std::string cut(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::string normalise_one(const std::string& raw, bool lowercase, std::size_t position) {
  std::string out;
  bool pending_sep = false;
  for (unsigned char c : raw) {
    if (!word_byte(c)) {
      pending_sep = true;
      continue;
    }
    if (pending_sep && !out.empty()) out += '_';
    pending_sep = false;
    out += static_cast<char>(lowercase && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  while (!out.empty() && out.front() == '_') out.erase(0, 1);
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) return "col_" + std::to_string(position);
  // A table cannot have a column named like a system column (bounding boxes have xmin, xmax).
  static const std::set<std::string> system_columns{"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"};
  if ((out[0] >= '0' && out[0] <= '9') || system_columns.count(out)) out = "col_" + out;
  return cut(out, kMaxIdentifierBytes);
}

}  // namespace

std::vector<std::string> normalise_names(const std::vector<std::string>& header, bool lowercase) {
  std::vector<std::string> names;
  std::set<std::string> used;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string base = normalise_one(header[i], lowercase, i + 1);
    std::string name = base;
    for (int n = 2; used.count(name); ++n) {
      std::string suffix = "_" + std::to_string(n);
      name = cut(base, kMaxIdentifierBytes - suffix.size()) + suffix;
    }
    used.insert(name);
    names.push_back(name);
  }
  return names;
}

std::optional<std::size_t> match_column(const std::string& field, const std::vector<std::string>& columns,
                                        bool normalised) {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == field) return i;
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (core::to_lower(columns[i]) == core::to_lower(field)) {
      if (found) return std::nullopt;  // ambiguous ("Name" vs "name"): insist on the exact one
      found = i;
    }
  if (found || !normalised) return found;
  std::string norm = normalise_names({field}, true).front();
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == norm) return i;
  return std::nullopt;
}

std::string pgmonkey_name(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const auto c = static_cast<unsigned char>(field[i]);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      out += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += '_';  // one per character: skip a UTF-8 sequence's continuation bytes
      while (c >= 0x80 && i + 1 < field.size() && (static_cast<unsigned char>(field[i + 1]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

}  // namespace pgmonkey::csv
