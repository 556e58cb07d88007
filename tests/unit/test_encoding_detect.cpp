// Encoding detection, the UTF-8 check and iconv transcoding.
#include <doctest/doctest.h>

#include <iconv.h>

#include <string>
#include <utility>

#include "core/error.hpp"
#include "encoding/detect.hpp"
#include "encoding/transcoder.hpp"
#include "encoding/utf8.hpp"

using namespace pgmonkey::encoding;

TEST_CASE("a BOM decides") {
  CHECK(detect_encoding("\xEF\xBB\xBF"
                        "a,b\n",
                        true)
            .name == "UTF-8");
  CHECK(detect_encoding("\xEF\xBB\xBF"
                        "a,b\n",
                        true)
            .bom_length == 3);
  CHECK(detect_encoding(std::string("\xFF\xFE"
                                    "a\0",
                                    4),
                        true)
            .name == "UTF-16LE");
  CHECK(detect_encoding(std::string("\xFE\xFF\0a", 4), true).name == "UTF-16BE");
  CHECK(detect_encoding(std::string("\xFF\xFE\0\0a\0\0\0", 8), true).name == "UTF-32LE");
  CHECK(detect_encoding(std::string("\0\0\xFE\xFF", 4), true).name == "UTF-32BE");
}

TEST_CASE("strict UTF-8 check; ASCII counts as UTF-8; a cut sequence at the end of a sample is fine") {
  CHECK(detect_encoding("plain ascii\n", true).name == "UTF-8");
  CHECK(detect_encoding("caf\xC3\xA9\n", true).how.find("strict UTF-8") != std::string::npos);
  CHECK(is_valid_utf8("caf\xC3", true));
  CHECK_FALSE(is_valid_utf8("caf\xC3", false));
  CHECK(find_invalid_utf8("ab\xE2\x82x") == 2);
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

namespace {

std::string from_utf8(const std::string& to, std::string in) {
  iconv_t cd = iconv_open(to.c_str(), "UTF-8");
  std::string out(in.size() * 4, '\0');
  char* src = in.data();
  char* dst = out.data();
  std::size_t src_left = in.size(), dst_left = out.size();
  iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  out.resize(out.size() - dst_left);
  return out;
}

}  // namespace

TEST_CASE("UTF-8 with a stray bad byte stays UTF-8 so the import can name the bad line") {
  auto c = detect_encoding("name\ncafé crème brûlée üñïç\n\xFF\n", true);
  CHECK(c.name == "UTF-8");
  CHECK(c.how.find("1 invalid byte") != std::string::npos);
  CHECK(detect_encoding("caf\xE9 cr\xE8me br\xFB"
                        "l\xE9"
                        "e \xFC\xF1\xEF\xE7\n",
                        true)
            .name != "UTF-8");
}

TEST_CASE("uchardet for the rest") {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "id,こんにちは世界、日本語のテキストです。東京都\n";
  // Shift_JIS is read as Microsoft's CP932, a superset, which is what PostgreSQL's SJIS is.
  for (auto [enc, want] : {std::pair{"SHIFT_JIS", "CP932"}, std::pair{"EUC-JP", "EUC-JP"}}) {
    auto c = detect_encoding(from_utf8(enc, text), true);
    CHECK(c.name == want);
    CHECK(c.how.find("uchardet") != std::string::npos);
  }
}

TEST_CASE("UTF-16 and UTF-32 without a byte-order mark, by where the NULs are") {
  const std::string text = "id,name\n1,Fran\xC3\xA7ois\n2,plain\n3,caf\xC3\xA9\n";
  for (const char* enc : {"UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"}) {
    auto c = detect_encoding(from_utf8(enc, text), true);
    CHECK(c.name == enc);
    CHECK(c.how.find("no byte-order mark") != std::string::npos);
  }
  std::string stray = "id,name\n";
  for (int i = 0; i < 20; ++i) stray += "1,plain text\n";
  stray[30] = '\0';
  stray[31] = '\0';
  CHECK(detect_encoding(stray, true).name == "UTF-8");  // a few stray NULs are not UTF-16 (the import reports them)
}

TEST_CASE("a few Latin letters are Windows-1252 rather than a DOS code page, with a warning") {
  auto c = detect_encoding(from_utf8("ISO-8859-1", "id,name\n1,François\n2,Noël\n3,Ångström\n"), true);
  CHECK(c.name == "WINDOWS-1252");
  CHECK(c.warning.find("guess from only 4 accented letters") != std::string::npos);
  std::string many;
  for (int i = 0; i < 40; ++i) many += "Привет, мир; съешь же ещё этих мягких булок\n";
  // Smart quotes and € are the same bytes in every Windows code page: one ñ is all there is to go on.
  std::string quotes = "product,description\n";
  for (int i = 0; i < 36; ++i) quotes += "Item,“Quality” product – it’s the best… for 5 €\n";
  quotes += "Special,“Señor” edition\n";
  auto q = detect_encoding(from_utf8("WINDOWS-1252", quotes), true);
  CHECK(q.warning.find("guess from only 1 accented letter:") != std::string::npos);
  auto ru = detect_encoding(from_utf8("WINDOWS-1251", many), true);
  CHECK(ru.name == "WINDOWS-1251");
  CHECK(ru.warning.empty());
}

TEST_CASE("names: pgmonkey's Python codec names and unknown names") {
  CHECK(canonical_name("utf-8-sig") == "UTF-8");
  CHECK(canonical_name("latin1") == "ISO-8859-1");
  CHECK(canonical_name("cp1252") == "WINDOWS-1252");
  // PostgreSQL's names, as pgexport and a shared sidecar spell them.
  CHECK(canonical_name("WIN1252") == "WINDOWS-1252");
  CHECK(canonical_name("win1250") == "WINDOWS-1250");
  CHECK(canonical_name("ISO_8859_5") == "ISO-8859-5");
  CHECK(canonical_name("EUC_JP") == "EUC-JP");
  CHECK(canonical_name("LATIN9") == "ISO-8859-15");
  CHECK(canonical_name("WIN866") == "CP866");
  CHECK(canonical_name("SJIS") == "CP932");
  CHECK(canonical_name("BIG5") == "CP950");
  CHECK(canonical_name("utf_32_le") == "UTF-32LE");
  CHECK(canonical_name("TCVN5712") == "CP1258");
  for (const char* pg : {"WIN1252", "WIN1251", "WIN1256", "WIN866", "WIN874", "EUC_JP", "EUC_KR", "EUC_CN",
                         "EUC_TW", "ISO_8859_5", "ISO_8859_8", "LATIN10", "KOI8U", "SJIS", "BIG5", "GBK", "UHC",
                         "GB18030", "JOHAB", "SHIFT_JIS_2004", "EUC_JIS_2004"})
    CHECK_NOTHROW(user_encoding(pg, "a"));
  CHECK(user_encoding("utf-8",
                      "\xEF\xBB\xBF"
                      "a")
            .bom_length == 3);
  CHECK(user_encoding("latin1", "a").user_set);
  CHECK_THROWS_AS(user_encoding("no-such-encoding", "a"), pgmonkey::UsageError);
}

TEST_CASE("a BOM that contradicts the named encoding is a warning, not silently text") {
  auto c = user_encoding("latin1", "\xEF\xBB\xBFid");
  CHECK(c.bom_length == 0);
  CHECK(c.warning.find("UTF-8 byte-order mark") != std::string::npos);
  CHECK(user_encoding("utf-8", "\xEF\xBB\xBFid").warning.empty());
  CHECK(user_encoding("utf-16", "\xFF\xFEi\0").warning.empty());  // UTF-16 reads its own mark
  CHECK(user_encoding("latin1", "id").warning.empty());
}

TEST_CASE("transcoding keeps an unfinished sequence for the next call and flags invalid input") {
  Transcoder t("UTF-16LE");
  std::string out;
  auto s = t.convert(std::string("a\0b", 3), out, false);
  CHECK(s.consumed == 2);
  CHECK(out == "a");
  Transcoder l("ISO-8859-1");
  out.clear();
  CHECK(l.convert("caf\xE9", out, true).consumed == 4);
  CHECK(out == "caf\xC3\xA9");
  Transcoder w("WINDOWS-1252");
  out.clear();
  auto undefined = w.convert("\x80 ok \x81", out, true);  // euro sign, then a byte 1252 leaves undefined
  CHECK(undefined.invalid);
  CHECK(undefined.consumed == 5);
  CHECK(out == "\xE2\x82\xAC ok ");
  Transcoder k("KOI8-R");
  out.clear();
  CHECK(k.convert("\xF0\xD2\xC9", out, true).consumed == 3);
  CHECK(out == "При");
  Transcoder sj("SHIFT_JIS");
  out.clear();
  auto bad = sj.convert("ab\x81", out, true);
  CHECK(bad.invalid);
  CHECK(out == "ab");
}
