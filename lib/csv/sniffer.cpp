// The sniffing pipeline.
#include "csv/sniffer.hpp"

#include "csv/dialect_sniffer.hpp"
#include "csv/header_names.hpp"
#include "csv/header_sniffer.hpp"

namespace pgmonkey::csv {

SniffResult sniff(std::string_view sample, bool whole, const SniffOptions& options) {
  SniffResult r;
  // 1. Dialect.
  r.dialect = options.given;
  auto guess = sniff_dialect(sample, whole, r.dialect.delimiter, r.dialect.quote);
  r.tried = guess.tried;
  auto& best = guess.best;
  auto& records = best.parsed.records;
  if (records.empty()) {
    r.empty = !best.parsed.unterminated_quote;
    if (best.parsed.unterminated_quote) r.unterminated_quote_line = best.parsed.lines.back();
    return r;
  }
  r.dialect.delimiter.offer(best.delimiter, Source::detected);  // the quote is never sniffed
  // 2. Line ending, from the first record.
  r.dialect.line_ending = best.parsed.line_ending.value_or(LineEnding::lf);
  // 3. Header.
  if (!r.dialect.header.given()) {
    auto header = sniff_header(records);
    r.dialect.header.offer(header.header, Source::detected);
    r.header_uncertain = !header.certain;
  }
  if (r.dialect.header.value) {
    for (const auto& f : records.front()) r.header.push_back(f.text);
    r.field_count = records.front().size();
    r.data.assign(records.begin() + 1, records.end());
  } else {
    r.field_count = records.front().size();
    r.data = records;
  }
  // 4. Types.
  NullRule nulls = options.nulls;
  nulls.keep_empty.assign(r.field_count, false);
  std::vector<std::string> names = r.header;
  for (std::size_t i = names.size(); i < r.field_count; ++i) names.push_back("col_" + std::to_string(i + 1));
  for (const auto& name : nulls.force_not_null)
    if (auto c = match_column(name, names)) nulls.keep_empty[*c] = true;
  r.types = options.infer_types ? infer_types(r.data, r.field_count, nulls)
                                : std::vector<ColumnType>(r.field_count, ColumnType::text);
  return r;
}

}  // namespace pgmonkey::csv
