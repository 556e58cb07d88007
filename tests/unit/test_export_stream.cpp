// pgexport's client-side byte steps: CRLF outside quotes, UTF-16 across chunk splits, ASCII.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "transfer/export_stream.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;

namespace {

// Feeds `in` one byte at a time: the hardest split for any state kept between chunks.
std::string bytewise(OutputEncoder& e, const std::string& in) {
  std::string out = e.preamble();
  for (char c : in) e.encode(std::string_view(&c, 1), out);
  e.finish(out);
  return out;
}

std::string whole(OutputEncoder& e, const std::string& in) {
  std::string out = e.preamble();
  e.encode(in, out);
  e.finish(out);
  return out;
}

}  // namespace

TEST_CASE("CRLF replaces record ends only; newlines inside quoted fields stay LF") {
  const std::string in = "id,note\n1,\"two\nlines\"\n2,\"a \"\"quoted\"\"\nline\"\n3,plain\n";
  const std::string want = "id,note\r\n1,\"two\nlines\"\r\n2,\"a \"\"quoted\"\"\nline\"\r\n3,plain\r\n";
  OutputEncoder a(true, '\"', EncodingPlan{});
  CHECK(whole(a, in) == want);
  OutputEncoder b(true, '\"', EncodingPlan{});
  CHECK(bytewise(b, in) == want);
}

TEST_CASE("CRLF follows the chosen quote character") {
  OutputEncoder e(true, '\'', EncodingPlan{});
  CHECK(whole(e, "a,'x\ny',\"\n") == "a,'x\ny',\"\r\n");
}

TEST_CASE("without CRLF or transcoding the bytes pass through") {
  OutputEncoder e(false, '"', EncodingPlan{});
  CHECK(e.passthrough());
  CHECK(whole(e, "a\nb\r\n") == "a\nb\r\n");
}

TEST_CASE("UTF-16LE with BOM, multi-byte characters split across chunks") {
  const std::string in = "n\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80\n";  // né,€,😀
  const std::string want = std::string("\xFF\xFE", 2) + std::string("n\0\xE9\0,\0\xAC\x20,\0\x3D\xD8\x00\xDE\n\0", 16);
  OutputEncoder a(false, '\"', plan_encoding("utf-16"));
  CHECK(whole(a, in) == want);
  OutputEncoder b(false, '\"', plan_encoding("utf-16le"));
  CHECK(bytewise(b, in) == want);
}

TEST_CASE("UTF-16BE with BOM and CRLF applied before transcoding") {
  OutputEncoder e(true, '"', plan_encoding("utf-16be"));
  CHECK(bytewise(e, "\"a\nb\"\n") == std::string("\xFE\xFF\0\"\0a\0\n\0b\0\"\0\r\0\n", 16));
}

TEST_CASE("UTF-16: input that ends inside a character is an error") {
  OutputEncoder e(false, '"', plan_encoding("utf-16"));
  std::string out;
  e.encode("ok\xE2\x82", out);
  CHECK_THROWS_AS(e.finish(out), JobError);
}

TEST_CASE("ascii refuses non-ASCII bytes and names the line") {
  OutputEncoder e(false, '"', plan_encoding("ascii"));
  std::string out;
  e.encode("a,b\n", out);
  CHECK(out == "a,b\n");
  try {
    e.encode("c,\xC3\xA9\n", out);
    FAIL("expected an error");
  } catch (const JobError& err) {
    CHECK(std::string(err.what()).find("line 2") != std::string::npos);
  }
}

TEST_CASE("utf-8-sig writes a UTF-8 BOM before unchanged data") {
  OutputEncoder e(false, '"', plan_encoding("utf-8-sig"));
  CHECK(whole(e, "a\n") ==
        "\xEF\xBB\xBF"
        "a\n");
}
