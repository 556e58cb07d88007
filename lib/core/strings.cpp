// Small string helpers shared by every module.
#include "core/strings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>

namespace pgmonkey::core {

std::string trim(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::optional<long long> parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  long long value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  if (!(v == v) || v > std::numeric_limits<double>::max() || v < -std::numeric_limits<double>::max())
    return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view s) {
  auto v = to_lower(trim(s));
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return std::nullopt;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  return edit_distance(a, b, std::max(a.size(), b.size()));  // never more than the longer length
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t bound) {
  const std::size_t n = a.size(), m = b.size();
  const std::size_t far = bound + 1;  // stands for "more than bound"
  // The distance is at least the difference in length: no need to look further.
  if ((n > m ? n - m : m - n) > bound) return far;
  // Three rows (a transposition looks two back), not the full matrix, and only the band
  // |i - j| <= bound of each: cells outside it are above the bound anyway.
  std::vector<std::size_t> before(m + 2, far), previous(m + 2, far), current(m + 2, far);
  for (std::size_t j = 0; j <= std::min(m, bound); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    const std::size_t from = i > bound ? i - bound : 1;
    const std::size_t to = std::min(m, i + bound);
    current[0] = i <= bound ? i : far;
    current[from - 1] = from > 1 ? far : current[0];
    std::size_t row_min = current[0];
    for (std::size_t j = from; j <= to; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t d = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, before[j - 2] + 1);
      current[j] = std::min(d, far);
      row_min = std::min(row_min, current[j]);
    }
    current[to + 1] = far;            // the next row reads one cell past this row's band
    if (row_min > bound) return far;  // every path from here on only grows
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[m], far);
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  // Allow roughly one typo per four characters, at least one, at most three.
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 4, 1, 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  std::string lowered;  // only computed once some candidate is near enough in length
  for (const auto& c : candidates) {
    if ((word.size() > c.size() ? word.size() - c.size() : c.size() - word.size()) > limit) continue;
    if (lowered.empty()) lowered = to_lower(word);
    const std::size_t d = edit_distance(lowered, to_lower(c), limit);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace pgmonkey::core
