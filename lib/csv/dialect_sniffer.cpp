// Scores each candidate dialect on the sample and keeps the best.
#include "csv/dialect_sniffer.hpp"

#include <fmt/format.h>

#include <map>

namespace pgmonkey::csv {

bool DialectCandidate::better_than(const DialectCandidate& o) const {
  if (usable != o.usable) return usable;
  bool multi = field_count > 1, o_multi = o.field_count > 1;
  if (multi != o_multi) return multi;
  if (consistency != o.consistency) return consistency > o.consistency;
  return field_count > o.field_count;
}

std::string DialectCandidate::summary() const {
  if (!usable)
    return fmt::format("delimiter {}: {}", show_char(delimiter),
                       parsed.unterminated_quote ? "unterminated quote" : "no records");
  return fmt::format("delimiter {}: {} fields in {:.0f}% of {} records", show_char(delimiter), field_count,
                     consistency * 100, parsed.records.size());
}

DialectGuess sniff_dialect(std::string_view sample, bool whole, const Option<char>& delimiter,
                           const Option<char>& quote, std::size_t max_records) {
  std::vector<char> delimiters = delimiter.given() ? std::vector<char>{delimiter.value} : candidate_delimiters();
  std::vector<char> quotes{quote.value};
  DialectGuess guess;
  bool first = true;
  for (char q : quotes) {
    for (char d : delimiters) {
      if (d == q) continue;  // --quote ',' rules out ',' as the delimiter
      DialectCandidate c;
      c.delimiter = d;
      c.quote = q;
      c.parsed = parse_sample(sample, d, q, whole, max_records);
      const auto& recs = c.parsed.records;
      if (!recs.empty()) {
        std::map<std::size_t, std::size_t> counts;
        for (const auto& r : recs) ++counts[r.size()];
        std::size_t best_n = 0, best_count = 0;
        for (const auto& [n, count] : counts)
          if (count > best_count) best_n = n, best_count = count;
        c.field_count = best_n;
        c.consistency = static_cast<double>(best_count) / static_cast<double>(recs.size());
        c.usable = true;
      }
      guess.tried.push_back(c.summary());
      if (first || c.better_than(guess.best)) guess.best = std::move(c);
      first = false;
    }
  }
  return guess;
}

}  // namespace pgmonkey::csv
