// The one iconv wrapper: streaming conversion (to UTF-8 on import, from it on export), reporting
// where the input stops being valid.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pgmonkey::encoding {

class Transcoder {
 public:
  // Throws UsageError when iconv cannot convert from `from` to `to`.
  explicit Transcoder(const std::string& from, const std::string& to = "UTF-8");
  ~Transcoder() noexcept;
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;

  struct Step {
    std::size_t consumed = 0;  // input bytes used
    bool invalid = false;      // the input at `consumed` is not valid in the source encoding
  };

  // Appends the converted form of as much of `in` as possible to `out`. An incomplete sequence
  // at the end is left unconsumed unless `at_end`, where it counts as invalid.
  Step convert(std::string_view in, std::string& out, bool at_end);
  // Appends what a stateful encoding still holds back (CP1258 and TCVN keep the last letter
  // for a combining mark that may follow) and resets the state. Call once at end of input.
  void finish(std::string& out);

 private:
  Step convert_single_byte(std::string_view in, std::string& out) const;

  void* cd_;
  // For single-byte sources (Latin-1/2/7, Windows-125x, KOI8-R ...): each byte's converted form,
  // built once with iconv, so the stream converts with one table lookup per byte.
  bool single_byte_ = false;
  std::array<std::array<char, 4>, 256> utf8_of_{};
  std::array<std::uint8_t, 256> length_of_{};  // 0: the byte is not valid in the encoding
};

}  // namespace pgmonkey::encoding
