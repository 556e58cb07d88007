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

// UTF-16/32 without a byte-order mark: mostly-ASCII text has a NUL in the same place of almost
// every code unit. Empty when the pattern is not clear.
std::string utf16_or_32_by_nuls(std::string_view s) {
  const std::size_t n = std::min<std::size_t>(s.size(), kDetectSampleBytes) / 4 * 4;
  if (n < 8) return {};
  std::array<std::size_t, 4> zeros{};
  for (std::size_t i = 0; i < n; ++i)
    if (s[i] == '\0') ++zeros[i % 4];
  const std::size_t units4 = n / 4;
  auto most = [&](std::size_t z, std::size_t units) { return z * 10 >= units * 9; };  // 90 %
  auto few = [&](std::size_t z, std::size_t units) { return z * 10 <= units; };       // 10 %
  if (most(zeros[2], units4) && most(zeros[3], units4) && most(zeros[1], units4) && few(zeros[0], units4))
    return "UTF-32LE";
  if (most(zeros[0], units4) && most(zeros[1], units4) && most(zeros[2], units4) && few(zeros[3], units4))
    return "UTF-32BE";
  const std::size_t units2 = n / 2;
  const std::size_t even = zeros[0] + zeros[2], odd = zeros[1] + zeros[3];
  if (odd * 10 >= units2 * 6 && few(even, units2)) return "UTF-16LE";
  if (even * 10 >= units2 * 6 && few(odd, units2)) return "UTF-16BE";
  return {};
}

// Counts the bytes >= 0x80; true when each is a Latin-1/Windows-1252 letter (0xC0-0xFF but
// for × and ÷).
bool high_bytes_are_latin_letters(std::string_view s, std::size_t& high) {
  high = 0;
  bool letters = true;
  for (char ch : s) {
    auto b = static_cast<std::uint8_t>(ch);
    if (b < 0x80) continue;
    ++high;
    if (b < 0xC0 || b == 0xD7 || b == 0xF7) letters = false;
  }
  return letters && high > 0;
}

// Encodings with characters of more than one byte (as named by canonical_name or uchardet).
bool is_multibyte(const std::string& name) {
  static const std::array<const char*, 20> names{
      "CP932",      "SHIFT_JIS",   "SHIFT_JISX0213", "EUC-JP",    "EUC-JISX0213", "EUC-KR", "EUC-TW", "EUC-CN",
      "GB18030",    "GBK",         "GB2312",         "CP949",     "UHC",          "JOHAB",  "CP950",  "BIG5",
      "BIG5-HKSCS", "ISO-2022-JP", "ISO-2022-KR",    "HZ-GB-2312"};
  if (core::starts_with(name, "UTF-")) return true;
  return std::find(names.begin(), names.end(), name) != names.end();
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
  if (user_set) return name + (named_in.empty() ? " (set by you)" : " (from " + named_in + ")");
  return name + " (detected: " + how + ")";
}

std::string canonical_name(std::string_view raw) {
  std::string key;
  for (char c : core::to_lower(core::trim(raw)))
    if (c != '-' && c != '_' && c != ' ') key += c;
  // Python's codec names, PostgreSQL's encoding names and common aliases, squashed. PostgreSQL's
  // SJIS and BIG5 are Microsoft's code pages 932 and 950 (WIN932, WIN950 are their aliases):
  // iconv's CP932/CP950 read what PostgreSQL writes, plain SHIFT_JIS does not (～, ①, 髙).
  static const std::array<std::pair<const char*, const char*>, 53> aliases{{
      {"utf8", "UTF-8"},
      {"utf8sig", "UTF-8"},
      {"u8", "UTF-8"},
      {"ascii", "UTF-8"},
      {"usascii", "UTF-8"},
      {"unicode", "UTF-8"},
      {"latin1", "ISO-8859-1"},
      {"l1", "ISO-8859-1"},
      {"latin2", "ISO-8859-2"},
      {"latin3", "ISO-8859-3"},
      {"latin4", "ISO-8859-4"},
      {"latin5", "ISO-8859-9"},
      {"latin6", "ISO-8859-10"},
      {"latin7", "ISO-8859-13"},
      {"latin8", "ISO-8859-14"},
      {"latin9", "ISO-8859-15"},
      {"latin10", "ISO-8859-16"},
      {"win866", "CP866"},
      {"win874", "CP874"},
      {"koi8", "KOI8-R"},
      {"koi8r", "KOI8-R"},
      {"koi8u", "KOI8-U"},
      {"eucjp", "EUC-JP"},
      {"euckr", "EUC-KR"},
      {"euccn", "EUC-CN"},
      {"euctw", "EUC-TW"},
      {"eucjis2004", "EUC-JISX0213"},
      {"sjis", "CP932"},
      {"shiftjis", "CP932"},
      {"mskanji", "CP932"},
      {"win932", "CP932"},
      {"windows932", "CP932"},
      {"shiftjis2004", "SHIFT_JISX0213"},
      {"big5", "CP950"},
      {"win950", "CP950"},
      {"windows950", "CP950"},
      {"gbk", "GBK"},
      {"win936", "GBK"},
      {"cp936", "GBK"},
      {"uhc", "CP949"},
      {"win949", "CP949"},
      {"utf16", "UTF-16"},
      {"utf16le", "UTF-16LE"},
      {"utf16be", "UTF-16BE"},
      {"tcvn", "CP1258"},
      {"tcvn5712", "CP1258"},
      {"abc", "CP1258"},
      {"vscii", "CP1258"},
      {"win", "WINDOWS-1251"},
      {"alt", "CP866"},
      {"utf32", "UTF-32"},
      {"utf32le", "UTF-32LE"},
      {"utf32be", "UTF-32BE"},
  }};
  for (const auto& [alias, name] : aliases)
    if (key == alias) return name;
  // Families: win1252 / cp1252 / windows1252, iso88595 / iso_8859_5.
  for (const char* prefix : {"windows", "win", "cp"})
    if (core::starts_with(key, prefix) && key.size() == std::string_view(prefix).size() + 4 &&
        core::starts_with(key.substr(std::string_view(prefix).size()), "125"))
      return "WINDOWS-" + key.substr(std::string_view(prefix).size());
  if (core::starts_with(key, "iso8859") && key.size() > 7 &&
      key.find_first_not_of("0123456789", 7) == std::string::npos)
    return "ISO-8859-" + key.substr(7);
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
  // Before the UTF-8 check: ASCII text in UTF-16 is also valid UTF-8, full of NULs.
  if (std::string wide = utf16_or_32_by_nuls(sample); !wide.empty()) {
    c.name = wide;
    c.how = "a NUL byte in every code unit of " + kib(sample.size()) + ", no byte-order mark";
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
  std::size_t high = 0;
  bool latin_letters = high_bytes_are_latin_letters(sample, high);
  // DOS code pages are rare in today's files; accented letters that all sit where Windows-1252
  // keeps its letters are far more likely Windows-1252 (uchardet guesses IBM852 on small files).
  if (latin_letters && core::starts_with(c.name, "IBM")) {
    c.how = fmt::format("{} non-ASCII bytes, all Windows-1252 letters (uchardet guessed {})", high, c.name);
    c.name = "WINDOWS-1252";
  }
  if (!is_multibyte(c.name)) {
    // Single-byte code pages share their punctuation (“ ” – € …) and differ in the letters, at
    // 0xA0-0xFF: only those tell WINDOWS-1252 from WINDOWS-1250 (ñ or ń).
    std::size_t letters = 0;
    for (char ch : sample) letters += static_cast<std::uint8_t>(ch) >= 0xA0 ? 1 : 0;
    if (letters < 64)
      c.warning = fmt::format(
          "the encoding {} is a guess from only {} accented letter{}: single-byte encodings differ only there, so "
          "check the imported text, or name it with --encoding (e.g. WINDOWS-1252, LATIN1, WINDOWS-1250)",
          c.name, letters, letters == 1 ? "" : "s");
  } else if (high < 64) {
    c.warning = fmt::format(
        "the encoding {} is a guess from only {} non-ASCII byte{}: check the imported text, or name it with "
        "--encoding",
        c.name, high, high == 1 ? "" : "s");
  }
  return c;
}

}  // namespace pgmonkey::encoding
