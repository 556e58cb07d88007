// The compression stages: every format round trips, multi-member input, damage named with an offset.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "compress/codec.hpp"
#include "core/error.hpp"
#include "temp_dir.hpp"
#include "transfer/compressing_sink.hpp"
#include "transfer/decompressing_source.hpp"
#include "transfer/input_stream.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;

namespace {

// Bytes in memory, handed out in small reads.
class MemorySource final : public ByteSource {
 public:
  // `sized`: a regular file (decompressed on a thread); otherwise a pipe (in the caller's thread).
  explicit MemorySource(std::string data, std::size_t step = 1000, bool sized = true)
      : data_(std::move(data)), step_(step), sized_(sized) {}
  std::size_t read(char* buf, std::size_t cap) override {
    std::size_t n = std::min({cap, step_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  std::optional<std::uint64_t> size() const override {
    return sized_ ? std::optional<std::uint64_t>(data_.size()) : std::nullopt;
  }
  std::uint64_t consumed() const override { return pos_; }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  std::size_t step_;
  bool sized_;
  std::size_t pos_ = 0;
  std::string name_ = "mem.csv.x";
};

class MemorySink final : public ByteSink {
 public:
  explicit MemorySink(std::string& out, bool* committed) : out_(out), committed_(committed) {}
  void write(const char* d, std::size_t n) override { out_.append(d, n); }
  void commit() override { *committed_ = true; }
  std::uint64_t written() const override { return out_.size(); }

 private:
  std::string& out_;
  bool* committed_;
};

std::string sample_text(std::size_t rows) {
  std::string s = "id,name\n";
  for (std::size_t i = 0; i < rows; ++i) s += std::to_string(i) + ",name " + std::to_string(i * 7919 % 1000) + "\n";
  return s;
}

std::string compressed(compress::Format f, const std::string& text, int level = 0) {
  std::string out;
  bool committed = false;
  {
    CompressingSink sink(std::make_unique<MemorySink>(out, &committed), f,
                         level ? level : compress::levels(f).fallback);
    for (std::size_t i = 0; i < text.size(); i += 70000)
      sink.write(text.data() + i, std::min<std::size_t>(70000, text.size() - i));
    sink.commit();
    CHECK(sink.written() == text.size());
    CHECK(sink.stored() == out.size());
  }
  CHECK(committed);
  return out;
}

std::string read_all(ByteSource& in) {
  std::string out;
  char buf[4096];
  while (std::size_t n = in.read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

bool rows_sized(compress::Format f) {  // both paths, alternating by format
  return f == compress::Format::gzip || f == compress::Format::bzip2;
}

const compress::Format kFormats[] = {compress::Format::gzip, compress::Format::zstd, compress::Format::bzip2,
                                     compress::Format::xz};

}  // namespace

TEST_CASE("formats: magic bytes, suffixes, names, levels") {
  CHECK(compress::from_magic("\x1f\x8b\x08") == compress::Format::gzip);
  CHECK(compress::from_magic("\x28\xb5\x2f\xfd") == compress::Format::zstd);
  CHECK(compress::from_magic("BZh9") == compress::Format::bzip2);
  CHECK(compress::from_magic("BZhx") == compress::Format::none);
  CHECK(compress::from_magic(std::string("\xfd"
                                         "7zXZ\0",
                                         6)) == compress::Format::xz);
  CHECK(compress::from_magic("id,name") == compress::Format::none);
  CHECK(compress::from_magic("") == compress::Format::none);
  CHECK(compress::from_extension("a.csv.zst") == compress::Format::zstd);
  CHECK(compress::from_extension("a.csv") == compress::Format::none);
  CHECK(compress::from_extension(".gz") == compress::Format::none);  // a hidden file, not a suffix
  CHECK(compress::parse("xz") == compress::Format::xz);
  CHECK_FALSE(compress::parse("lz4"));
  CHECK(compress::levels(compress::Format::gzip).max == 9);
}

TEST_CASE("every format round trips through the sink and the source, at every size") {
  for (auto f : kFormats) {
    CAPTURE(compress::name(f));
    for (std::size_t rows : {0, 1, 50000}) {
      std::string text = sample_text(rows);
      DecompressingSource in(std::make_unique<MemorySource>(compressed(f, text)));
      CHECK(in.format() == f);
      CHECK_FALSE(in.size());
      CHECK(read_all(in) == text);
      CHECK(in.consumed() == text.size());
    }
  }
}

TEST_CASE("plain input passes through untouched, its size known") {
  for (std::string text : {std::string(), std::string("a"), sample_text(1000)}) {
    DecompressingSource in(std::make_unique<MemorySource>(text, 3));
    CHECK(in.format() == compress::Format::none);
    CHECK(in.size() == text.size());
    CHECK(read_all(in) == text);
  }
}

TEST_CASE("concatenated members, frames and streams are read to the end") {
  for (auto f : kFormats) {
    CAPTURE(compress::name(f));
    std::string a = sample_text(3000), b = "more,rows\n", c = sample_text(10);
    std::string z = compressed(f, a) + compressed(f, b) + compressed(f, c);
    for (bool sized : {true, false}) {
      DecompressingSource in(std::make_unique<MemorySource>(z, 1000, sized));
      CHECK(read_all(in) == a + b + c);
      CHECK(in.raw_consumed() == z.size());
    }
  }
}

TEST_CASE("a truncated or corrupt stream is an error naming the file and a byte offset") {
  for (auto f : kFormats) {
    CAPTURE(compress::name(f));
    std::string z = compressed(f, sample_text(20000));
    std::string cut = z.substr(0, z.size() - 3);
    DecompressingSource t(std::make_unique<MemorySource>(cut, 1000, rows_sized(f)));
    try {
      read_all(t);
      FAIL("a truncated stream was read");
    } catch (const JobError& e) {
      CHECK(std::string(e.what()) == "mem.csv.x: the file ends inside a compressed stream (truncated) at byte " +
                                         std::to_string(cut.size()) + " of the " + std::string(compress::name(f)) +
                                         " data");
    }
    std::string bad = z;
    for (std::size_t i = bad.size() / 2; i < bad.size() / 2 + 16; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x55);
    DecompressingSource c(std::make_unique<MemorySource>(bad));
    CHECK_THROWS_WITH_AS(read_all(c), doctest::Contains("mem.csv.x: corrupt data"), JobError);
    DecompressingSource again(std::make_unique<MemorySource>(bad));
    CHECK_THROWS_AS(throw_if_damaged(again), JobError);
    DecompressingSource whole(std::make_unique<MemorySource>(z));
    CHECK_NOTHROW(throw_if_damaged(whole));
  }
}

TEST_CASE("a failed compressing sink commits nothing") {
  std::string out;
  bool committed = false;
  {
    CompressingSink sink(std::make_unique<MemorySink>(out, &committed), compress::Format::gzip, 6);
    sink.write("abc", 3);
  }  // destroyed without commit()
  CHECK_FALSE(committed);
}

TEST_CASE("a compressed file that shrinks or grows while it is read is an error, as a plain one is") {
  std::string text;
  std::uint64_t x = 88172645463325252ull;  // xorshift: text that does not shrink much
  while (text.size() < 4000000) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    text += std::to_string(x) + "\n";
  }
  std::string z = compressed(compress::Format::gzip, text);
  pgmonkey::test::TempDir dir;
  for (std::uint64_t new_size :
       {static_cast<std::uint64_t>(z.size() - 100), static_cast<std::uint64_t>(z.size() + 100)}) {
    auto f = dir.write("data.csv.gz", z);
    DecompressingSource in(std::make_unique<InputStream>(f.string()));
    std::filesystem::resize_file(f, new_size);  // the thread is still far from the end
    CHECK_THROWS_WITH_AS(read_all(in), doctest::Contains("changed while it was read"), JobError);
  }
}
