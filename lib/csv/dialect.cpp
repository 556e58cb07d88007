// Describing a dialect, parsing its delimiter and quote, and checking what COPY would refuse.
#include "csv/dialect.hpp"

#include "core/error.hpp"
#include "core/strings.hpp"

namespace pgmonkey::csv {
namespace {

// Shell-quoted flag value: single quotes unless it is a tab, which needs $'\t'.
std::string shell_char(char c) {
  if (c == '\t') return "$'\\t'";
  if (c == '\'') return "\"'\"";
  return std::string("'") + c + "'";
}

}  // namespace

const char* to_string(LineEnding e) {
  switch (e) {
    case LineEnding::lf:
      return "LF";
    case LineEnding::crlf:
      return "CRLF";
    case LineEnding::cr:
      return "CR";
  }
  return "LF";
}

std::string show_char(char c) {
  if (c == '\t') return "TAB";
  return std::string("'") + c + "'";
}

char parse_char_option(const std::string& text, const std::string& what) {
  if (text == "\t" || text == "\\t" || core::to_lower(text) == "tab") return '\t';
  if (text.size() != 1)
    throw UsageError(what + " must be a single one-byte character, not '" + text + "'", "write \\t or tab for a tab");
  char c = text[0];
  if (c == '\n' || c == '\r' || c == '\0') throw UsageError(what + " cannot be a line break or NUL");
  if (static_cast<unsigned char>(c) >= 0x80)
    throw UsageError(what + " must be an ASCII character", "PostgreSQL's COPY accepts one-byte characters only");
  return c;
}

void check_dialect(const Dialect& d) {
  if (d.delimiter.value == d.quote.value)
    throw UsageError("the delimiter and the quote character are both " + show_char(d.delimiter.value),
                     "choose different characters with --delimiter and --quote");
  if (!d.null_string) return;
  auto has = [&](char c) { return d.null_string->find(c) != std::string::npos; };
  if (has(d.delimiter.value)) throw UsageError("--null must not contain the delimiter " + show_char(d.delimiter.value));
  if (has(d.quote.value)) throw UsageError("--null must not contain the quote character " + show_char(d.quote.value));
  if (has('\n') || has('\r')) throw UsageError("--null must not contain a newline or carriage return");
}

const std::vector<char>& candidate_delimiters() {
  static const std::vector<char> d{',', ';', '\t', '|'};
  return d;
}

std::string Dialect::flags() const {
  std::string f = "--delimiter " + shell_char(delimiter.value) + " --quote " + shell_char(quote.value);
  f += header.value ? " --header" : " --no-header";
  return f;
}

std::string Dialect::origin(Source s) const {
  switch (s) {
    case Source::fallback:
      return "default";
    case Source::detected:
      return "detected";
    case Source::sep_line:
      return "from the sep= line";
    case Source::sidecar:
      return sidecar.empty() ? "from the sidecar config" : "from " + sidecar;
    case Source::user:
      return "set by you";
  }
  return "default";
}

std::string Dialect::describe() const {
  return "delimiter " + show_char(delimiter.value) + " (" + origin(delimiter.source) + "), quote " +
         show_char(quote.value) + " (" + origin(quote.source) + "), header " + (header.value ? "yes" : "no") + " (" +
         origin(header.source) + "), line endings " + to_string(line_ending);
}

std::optional<char> take_excel_sep_line(std::string& text) {
  if (text.size() < 5 || text.compare(0, 4, "sep=") != 0) return std::nullopt;
  if (text.size() > 5 && text[5] != '\n' && text[5] != '\r') return std::nullopt;  // 5 bytes: all there is
  const char delimiter = text[4];
  if (delimiter == '\n' || delimiter == '\r' || delimiter == '"') return std::nullopt;
  text.erase(0, 5);
  return delimiter;
}

}  // namespace pgmonkey::csv
