// The import's byte source and decoder: every byte of a regular file, stateful encodings flushed.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "encoding/detect.hpp"
#include "temp_dir.hpp"
#include "transfer/input_stream.hpp"
#include "transfer/text_reader.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;
using pgmonkey::test::TempDir;

namespace {

std::string decode_all(const std::string& path, const std::string& encoding) {
  InputStream in(path);
  TextReader reader(in, {}, encoding::user_encoding(encoding, {}));
  std::string out;
  while (reader.read(out, 4096) == TextReader::Status::data) {
  }
  return out;
}

}  // namespace

TEST_CASE("a stateful encoding gives back its last character at the end of the input") {
  TempDir dir;
  // CP1258 (Vietnamese) holds each letter back in case a combining mark follows.
  auto f = dir.write("vi.csv", "id,name\n1,Nguyen\n2,Tran");
  CHECK(decode_all(f.string(), "cp1258") == "id,name\n1,Nguyen\n2,Tran");
  auto g = dir.write("vi2.csv", "a\xD2");                     // a + combining hook above, then the end
  CHECK(decode_all(g.string(), "cp1258") == "\xE1\xBA\xA3");  // composed: ả
}

TEST_CASE("a regular file that shrinks or grows while it is read is an error") {
  TempDir dir;
  std::string text(100000, 'x');
  auto f = dir.write("shrink.csv", text);
  {
    InputStream in(f.string());
    std::string buf;
    CHECK(in.read_until(buf, 1000));
    std::filesystem::resize_file(f, 5000);
    CHECK_THROWS_AS(
        [&] {
          while (in.read_until(buf, buf.size() + 4096)) {
          }
        }(),
        JobError);
  }
  auto g = dir.write("grow.csv", text);
  {
    InputStream in(g.string());
    std::string buf;
    CHECK(in.read_until(buf, 1000));
    std::filesystem::resize_file(g, 200000);
    CHECK_THROWS_AS(
        [&] {
          while (in.read_until(buf, buf.size() + 4096)) {
          }
        }(),
        JobError);
  }
  auto h = dir.write("same.csv", text);
  InputStream in(h.string());
  std::string buf;
  CHECK_FALSE(in.read_until(buf, 200000));
  CHECK(buf.size() == text.size());
}
