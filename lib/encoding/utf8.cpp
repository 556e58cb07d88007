// Whole-buffer forms of the UTF-8 check.
#include "encoding/utf8.hpp"

namespace pgmonkey::encoding {

std::size_t find_invalid_utf8(std::string_view s, bool may_be_cut) {
  Utf8State st;
  std::size_t seq_start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (st.complete()) seq_start = i;
    if (!st.step(static_cast<std::uint8_t>(s[i]))) return st.complete() ? i : seq_start;
  }
  if (!st.complete() && !may_be_cut) return seq_start;
  return std::string_view::npos;
}

bool is_valid_utf8(std::string_view s, bool may_be_cut) {
  return find_invalid_utf8(s, may_be_cut) == std::string_view::npos;
}

}  // namespace pgmonkey::encoding
