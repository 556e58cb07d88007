// The field-level CSV parser used on samples (the streaming path only finds record boundaries).
#include "csv/sample_parser.hpp"

namespace pgmonkey::csv {

ParsedSample parse_sample(std::string_view s, char delim, char quote, bool whole, std::size_t max_records) {
  ParsedSample out;
  long long line = 1;
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n && out.records.size() < max_records) {
    // Blank lines between records are skipped, as the importer does.
    if (s[i] == '\n' || s[i] == '\r') {
      if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ++i;
      ++i;
      ++line;
      continue;
    }
    Record rec;
    Field field;
    long long start_line = line;
    bool in_quote = false;
    bool ended = false;
    std::optional<LineEnding> eol;
    std::size_t j = i;
    for (; j < n; ++j) {
      char c = s[j];
      if (in_quote) {
        if (c == quote) {
          if (j + 1 < n && s[j + 1] == quote) {
            field.text += quote;
            ++j;
          } else if (j + 1 == n && !whole) {
            break;  // cannot tell a closing quote from the first of a doubled pair yet
          } else {
            in_quote = false;
          }
        } else {
          if (c == '\n' || (c == '\r' && !(j + 1 < n && s[j + 1] == '\n'))) ++line;
          field.text += c;
        }
        continue;
      }
      if (c == quote) {
        in_quote = true;
        field.quoted = true;
      } else if (c == delim) {
        rec.push_back(std::move(field));
        field = Field{};
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && j + 1 < n && s[j + 1] == '\n') {
          eol = LineEnding::crlf;
          ++j;
        } else if (c == '\r' && j + 1 == n && !whole) {
          break;  // CR or CRLF: the next byte decides
        } else {
          eol = c == '\n' ? LineEnding::lf : LineEnding::cr;
        }
        ++line;
        ended = true;
        ++j;
        break;
      } else {
        field.text += c;
      }
    }
    if (!ended) {
      if (!whole || j < n) {
        out.cut = true;
        break;
      }
      if (in_quote) {
        out.unterminated_quote = true;
        out.lines.push_back(start_line);  // where the open quote's record starts
        break;
      }
    }
    rec.push_back(std::move(field));
    out.records.push_back(std::move(rec));
    out.lines.push_back(start_line);
    if (!out.line_ending && eol) out.line_ending = eol;
    i = j;
    out.bytes_used = j;
  }
  return out;
}

}  // namespace pgmonkey::csv
