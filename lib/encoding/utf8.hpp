// Strict UTF-8 checking, byte by byte, so a check can run across buffer boundaries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pgmonkey::encoding {

// One step per byte: rejects overlong forms, surrogates, and code points above U+10FFFF.
struct Utf8State {
  std::uint8_t need = 0;   // continuation bytes still expected
  std::uint8_t lo = 0x80;  // allowed range for the next continuation byte
  std::uint8_t hi = 0xBF;

  // Returns false when `b` cannot continue a valid sequence here.
  bool step(std::uint8_t b) noexcept {
    if (need == 0) {
      if (b < 0x80) return true;
      lo = 0x80;
      hi = 0xBF;
      if (b >= 0xC2 && b <= 0xDF)
        need = 1;
      else if (b == 0xE0)
        need = 2, lo = 0xA0;
      else if (b == 0xED)
        need = 2, hi = 0x9F;
      else if (b >= 0xE1 && b <= 0xEF)
        need = 2;
      else if (b == 0xF0)
        need = 3, lo = 0x90;
      else if (b >= 0xF1 && b <= 0xF3)
        need = 3;
      else if (b == 0xF4)
        need = 3, hi = 0x8F;
      else
        return false;
      return true;
    }
    if (b < lo || b > hi) return false;
    --need;
    lo = 0x80;
    hi = 0xBF;
    return true;
  }
  bool complete() const noexcept { return need == 0; }
};

// Whether `s` is valid UTF-8; with `may_be_cut`, an unfinished sequence at the very end is
// allowed (a sample read from a longer stream).
bool is_valid_utf8(std::string_view s, bool may_be_cut = false);

// The byte offset of the first invalid byte, or npos.
std::size_t find_invalid_utf8(std::string_view s, bool may_be_cut = false);

}  // namespace pgmonkey::encoding
