// Encoding detection: a BOM decides, a strict UTF-8 check comes next, uchardet last.
#include "encoding/detect.hpp"

#include <fmt/format.h>
#include <iconv.h>
#include <uchardet/uchardet.h>

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "encoding/utf8.hpp"

namespace pgmonkey::encoding {
namespace {

std::string kib(std::size_t n) {
  if (n < 1024) return fmt::format("{} bytes", n);
  return fmt::format("{} KiB", n / 1024);
}

// (valid multi-byte sequences, invalid bytes) in `s`; a cut sequence at the end is not counted.
std::pair<std::size_t, std::size_t> utf8_statistics(std::string_view s) {
  std::size_t multibyte = 0, invalid = 0;
  Utf8State st;
  for (char ch : s) {
    auto b = static_cast<std::uint8_t>(ch);
    bool in_sequence = !st.complete();
    if (!st.step(b)) {
      ++invalid;
      st = Utf8State{};
      if (in_sequence && st.step(b)) continue;  // the byte may start a new sequence
      continue;
    }
    if (b >= 0x80 && st.complete()) ++multibyte;
  }
  return {multibyte, invalid};
}

bool iconv_knows(const std::string& name) {
  iconv_t cd = iconv_open("UTF-8", name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  iconv_close(cd);
  return true;
}

}  // namespace

std::optional<Bom> detect_bom(std::string_view h) {
  struct Mark {
    std::string_view bytes;
    const char* encoding;
  };
  static const std::array<Mark, 5> marks{{
      {std::string_view("\x00\x00\xFE\xFF", 4), "UTF-32BE"},
      {std::string_view("\xFF\xFE\x00\x00", 4), "UTF-32LE"},
      {std::string_view("\xEF\xBB\xBF", 3), "UTF-8"},
      {std::string_view("\xFE\xFF", 2), "UTF-16BE"},
      {std::string_view("\xFF\xFE", 2), "UTF-16LE"},
  }};
  for (const auto& m : marks)
    if (h.substr(0, m.bytes.size()) == m.bytes) return Bom{m.encoding, m.bytes.size()};
  return std::nullopt;
}

std::string EncodingChoice::describe() const {
  return name + (user_set ? " (set by you)" : " (detected: " + how + ")");
}

std::string canonical_name(std::string_view raw) {
  std::string key;
  for (char c : core::to_lower(core::trim(raw)))
    if (c != '-' && c != '_' && c != ' ') key += c;
  static const std::array<std::pair<const char*, const char*>, 22> aliases{{
      {"utf8", "UTF-8"},
      {"utf8sig", "UTF-8"},
      {"u8", "UTF-8"},
      {"ascii", "UTF-8"},
      {"usascii", "UTF-8"},
      {"latin1", "ISO-8859-1"},
      {"l1", "ISO-8859-1"},
      {"iso88591", "ISO-8859-1"},
      {"latin2", "ISO-8859-2"},
      {"iso88592", "ISO-8859-2"},
      {"iso88597", "ISO-8859-7"},
      {"cp1252", "WINDOWS-1252"},
      {"windows1252", "WINDOWS-1252"},
      {"cp1250", "WINDOWS-1250"},
      {"windows1250", "WINDOWS-1250"},
      {"cp1251", "WINDOWS-1251"},
      {"windows1251", "WINDOWS-1251"},
      {"utf16", "UTF-16"},
      {"utf16le", "UTF-16LE"},
      {"utf16be", "UTF-16BE"},
      {"sjis", "SHIFT_JIS"},
      {"shiftjis", "SHIFT_JIS"},
  }};
  for (const auto& [alias, name] : aliases)
    if (key == alias) return name;
  std::string upper;
  for (char c : core::trim(raw)) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

EncodingChoice user_encoding(const std::string& name, std::string_view sample) {
  EncodingChoice c;
  c.user_set = true;
  c.name = canonical_name(name);
  if (c.name.empty() || !iconv_knows(c.name))
    throw UsageError(
        "unknown encoding '" + name + "'",
        "use a name iconv knows, e.g. UTF-8, LATIN1, WINDOWS-1252, UTF-16LE, SHIFT_JIS (iconv -l lists them)");
  // A BOM that agrees with the named encoding is skipped; "UTF-16"/"UTF-32" let iconv read it.
  if (auto bom = detect_bom(sample)) {
    if (bom->encoding == c.name)
      c.bom_length = bom->length;
    else if (c.name != "UTF-16" && c.name != "UTF-32")  // these read their own mark
      c.warning = "the file starts with a " + bom->encoding + " byte-order mark, but the encoding is set to " + c.name +
                  ": the mark will be read as text (drop --encoding to use the mark)";
  }
  c.how = "set by you";
  return c;
}

EncodingChoice detect_encoding(std::string_view sample, bool whole) {
  EncodingChoice c;
  if (auto bom = detect_bom(sample)) {
    c.name = bom->encoding;
    c.bom_length = bom->length;
    c.how = "byte-order mark";
    return c;
  }
  if (is_valid_utf8(sample, !whole)) {
    c.name = "UTF-8";
    c.how = "strict UTF-8 check of " + kib(sample.size());
    return c;
  }
  // UTF-8 text with a stray bad byte or two is UTF-8 with an error, not Latin-1: keep UTF-8 so
  // the import stops at the bad byte's line instead of loading mojibake.
  auto [multibyte, invalid] = utf8_statistics(sample);
  if (multibyte >= 8 && invalid <= std::max<std::size_t>(1, multibyte / 100)) {
    c.name = "UTF-8";
    c.how = fmt::format("UTF-8 check of {}: {} multi-byte characters, {} invalid byte{}", kib(sample.size()), multibyte,
                        invalid, invalid == 1 ? "" : "s");
    return c;
  }
  std::unique_ptr<std::remove_pointer_t<uchardet_t>, void (*)(uchardet_t)> ud(uchardet_new(), uchardet_delete);
  if (!ud || uchardet_handle_data(ud.get(), sample.data(), sample.size()) != 0)
    throw JobError("cannot run the encoding detector (uchardet)", {}, "set the encoding with --encoding NAME");
  uchardet_data_end(ud.get());
  std::string found = uchardet_get_charset(ud.get());
  if (found.empty())
    throw JobError(
        "cannot tell the file's encoding: it is not UTF-8 and uchardet found no match in " + kib(sample.size()), {},
        "set the encoding with --encoding NAME (e.g. LATIN1, WINDOWS-1252, SHIFT_JIS)");
  c.name = canonical_name(found);
  if (!iconv_knows(c.name))
    throw JobError("uchardet detected '" + found + "', which iconv cannot convert", {},
                   "set the encoding with --encoding NAME");
  c.how = "uchardet on " + kib(sample.size()) + ", not valid UTF-8";
  return c;
}

}  // namespace pgmonkey::encoding
