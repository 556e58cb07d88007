// Turning config values into source-code literals and comments that compile and say exactly that value.
#pragma once

#include <string>
#include <string_view>

namespace pgmonkey::codegen {

// A C (and C++) string literal, quotes included. Printable ASCII stays as is; quotes,
// backslashes, '?' (trigraphs) and every other byte become escapes, octal so they never
// swallow a following digit.
std::string c_string_literal(std::string_view text);

// A Python str literal, quotes included. UTF-8 text stays readable; control characters,
// quotes and backslashes are escaped.
std::string python_string_literal(std::string_view text);

// Text safe inside a // or /* */ or # comment: one line, no comment terminator.
std::string comment_text(std::string_view text);

// One word for a POSIX shell command line, single-quoted only when it needs to be.
std::string shell_word(std::string_view text);

}  // namespace pgmonkey::codegen
