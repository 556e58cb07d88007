// The CSV dialect as plain data, one type for both directions; every option remembers who set it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgmonkey::csv {

// Who set an option, weakest first. A weaker source never overwrites a stronger one, so a
// detected value cannot silently replace what the user, the sidecar or the file said.
enum class Source { fallback, detected, sep_line, sidecar, user };

template <class T>
struct Option {
  T value{};
  Source source = Source::fallback;

  Option() = default;
  Option(T v, Source s = Source::fallback) : value(std::move(v)), source(s) {}  // NOLINT: plain data
  // Takes `v` unless a stronger source set the option already; says whether it did.
  bool offer(T v, Source s) {
    if (s < source) return false;
    value = std::move(v);
    source = s;
    return true;
  }
  // Given (by the user, the sidecar or the file's sep= line) rather than left to detection.
  bool given() const { return source >= Source::sep_line; }
};

enum class LineEnding { lf, crlf, cr };

struct Dialect {
  Option<char> delimiter{','};
  Option<char> quote{'"'};
  Option<bool> header{true};
  Option<std::string> encoding;             // as named; empty: detect (import) or UTF-8 (export)
  LineEnding line_ending = LineEnding::lf;  // detected on import; --crlf on export
  std::optional<std::string> null_string;   // --null; nullopt: an unquoted empty field
  std::string sidecar;                      // the sidecar file, when one set anything (for messages)

  // Where an option came from, for messages: "set by you", "from data.yaml", "detected" ...
  std::string origin(Source s) const;
  // The flags that reproduce this dialect, e.g. `--delimiter ';' --quote '"' --header`.
  std::string flags() const;
  // "delimiter ';' (detected), quote '"' (set by you), header yes (detected), line endings CRLF"
  std::string describe() const;
};

const char* to_string(LineEnding e);
// "," → "','", TAB → "TAB" for messages.
std::string show_char(char c);

// The one parser for a delimiter or quote character from a flag or a sidecar: one ASCII
// character, or \t / tab. `what` names it for the error ("--delimiter", "quotechar in x.yaml").
char parse_char_option(const std::string& text, const std::string& what);

// What COPY would refuse, said before anything runs: the delimiter and the quote must differ,
// and --null must hold neither nor a line break. Throws UsageError.
void check_dialect(const Dialect& d);

// Excel's "sep=;" first line names the delimiter and is not data. When `text` (the start of the
// decoded file) begins with one, the "sep=X" is removed and its line break kept, so the line
// is a leading blank line (skipped, line numbers unchanged); returns X. `text` must hold the
// whole file when it is shorter than the sample (a file of just "sep=;").
std::optional<char> take_excel_sep_line(std::string& text);

// The delimiters the sniffer tries, in priority order (ties go to the earlier one).
const std::vector<char>& candidate_delimiters();

}  // namespace pgmonkey::csv
