// The CSV dialect as plain data; every option remembers whether the user set it or it was detected.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgmonkey::csv {

template <class T>
struct Option {
  T value{};
  bool user_set = false;   // given, not detected: by the user or by the file itself (from_file)
  bool from_file = false;  // Excel's sep= line
  void set_by_user(T v) { value = v, user_set = true; }
  const char* source() const { return from_file ? "from the sep= line" : user_set ? "set by you" : "detected"; }
};

enum class LineEnding { lf, crlf, cr };

struct Dialect {
  Option<char> delimiter{',', false};
  Option<char> quote{'"', false};
  Option<bool> header{true, false};
  LineEnding line_ending = LineEnding::lf;

  // The flags that reproduce this dialect, e.g. `--delimiter ';' --quote '"' --header`.
  std::string flags() const;
  // "delimiter ';' (detected), quote '"' (set by you), header yes (detected), line endings CRLF"
  std::string describe() const;
};

const char* to_string(LineEnding e);
// "," → "','", TAB → "TAB" for messages.
std::string show_char(char c);
// Parses a delimiter or quote given by the user: one character, or \t / tab.
char parse_char_option(const std::string& text, const std::string& what);

// Excel's "sep=;" first line names the delimiter and is not data. When `text` (the start of the
// decoded file) begins with one, the "sep=X" is removed and its line break kept, so the line
// is a leading blank line (skipped, line numbers unchanged); returns X. `text` must hold the
// whole file when it is shorter than the sample (a file of just "sep=;").
std::optional<char> take_excel_sep_line(std::string& text);

// The delimiters the sniffer tries, in priority order (ties go to the earlier one).
const std::vector<char>& candidate_delimiters();

}  // namespace pgmonkey::csv
