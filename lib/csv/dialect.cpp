// Describing a dialect and parsing the user's delimiter and quote flags.
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
  std::string lower = core::to_lower(text);
  if (text == "\t" || text == "\\t" || lower == "tab") return '\t';
  if (text.size() != 1)
    throw UsageError(what + " must be one character, got '" + text + "'", "for a tab write \\t or tab");
  char c = text[0];
  if (c == '\n' || c == '\r' || c == '\0') throw UsageError(what + " cannot be a line break or NUL");
  return c;
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

std::string Dialect::describe() const {
  // The quote is never sniffed: it is " unless set.
  return "delimiter " + show_char(delimiter.value) + " (" + delimiter.source() + "), quote " + show_char(quote.value) +
         " (" + (quote.user_set ? quote.source() : std::string("default")) + "), header " +
         (header.value ? "yes" : "no") + " (" + header.source() + "), line endings " + to_string(line_ending);
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
