// Hostile configs: non-regular and oversized files, quadratic merges, huge keys, deep nesting.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <string>

#include "config/interpolate.hpp"
#include "config/loader.hpp"
#include "config/small_file.hpp"
#include "core/error.hpp"
#include "temp_dir.hpp"

using namespace pgmonkey;
using namespace pgmonkey::config;

namespace {

std::string error_of(const std::string& path) {
  try {
    load_config(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

const Finding* first_error(const LoadResult& r) {
  for (const auto& f : r.findings)
    if (f.severity == Severity::error) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("a config that is not a regular file is refused before it is opened") {
  test::TempDir dir;
  const auto fifo = (dir.path / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(error_of(fifo).find("it is a FIFO") != std::string::npos);  // did block forever
  CHECK(error_of("/dev/zero").find("it is a character device") != std::string::npos);
  CHECK(error_of(dir.path.string()).find("it is a folder") != std::string::npos);
  CHECK(error_of((dir.path / "missing.yaml").string()).find("No such file") != std::string::npos);
}

TEST_CASE("a config over 1 MiB is refused with its size, one at the limit is read") {
  test::TempDir dir;
  const std::string head = "connection_type: normal\n";
  const auto big = dir.write("big.yaml", head + std::string(kMaxConfigBytes - head.size() + 1, '#'));
  const std::string message = error_of(big.string());
  CHECK(message.find("1048577 bytes") != std::string::npos);
  CHECK(message.find("over the limit of 1.0 MiB") != std::string::npos);
  const auto fits = dir.write("fits.yaml", head + std::string(kMaxConfigBytes - head.size(), '#'));
  CHECK(load_config(fits.string()).config.type == ConnectionType::normal);
}

TEST_CASE("from_file reads only a small regular file") {
  test::TempDir dir;
  CHECK_THROWS_WITH_AS(value_from_file("/dev/zero"), doctest::Contains("character device"), InterpolationError);
  const auto big = dir.write("big", std::string(64 * 1024 + 1, 'x'));
  CHECK_THROWS_WITH_AS(value_from_file(big.string()), doctest::Contains("over the limit"), InterpolationError);
}

TEST_CASE("a merge of many keys is resolved, and merges cannot multiply through aliases") {
  // 40,000 merged keys took 18 s with a lookup per key; the result is the same as before.
  std::string text = "base: &b\n";
  for (int i = 0; i < 40000; ++i) text += "  k" + std::to_string(i) + ": v\n";
  text += "connection_settings:\n  <<: *b\n  host: h\n";
  auto r = load_config_text(text, "t.yaml");
  std::size_t unknown = 0;
  for (const auto& f : r.findings) unknown += f.message.find("unknown connection setting") != std::string::npos;
  CHECK(unknown == 40000);
  CHECK(r.config.get("host") == std::optional<std::string>("h"));

  // 300 mappings each merging the same 1,000 keys: 300,000 entries from a small file.
  std::string many = "a: &a {";
  for (int i = 0; i < 1000; ++i) many += "k" + std::to_string(i) + ": v, ";
  many += "z: v}\n";
  for (int i = 0; i < 300; ++i) many += "s" + std::to_string(i) + ": {<<: *a}\n";
  auto m = load_config_text(many, "t.yaml");
  REQUIRE(first_error(m));
  CHECK(first_error(m)->message.find("merge keys (<<) add more than 200000 entries") != std::string::npos);
}

TEST_CASE("a huge unknown key is reported shortened, without a did-you-mean search over it") {
  const std::string key(2 * 1024 * 1024, 'h');
  auto r = load_config_text("connection_settings:\n  ? " + key + "\n  : x\n", "t.yaml");
  const Finding* f = first_error(r);
  REQUIRE(f);
  CHECK(f->line == 2);
  CHECK(f->message.find("unknown connection setting 'hhhh") == 0);
  CHECK(f->message.find("(2097152 bytes)") != std::string::npos);
  CHECK(f->to_string().size() < 400);
}

TEST_CASE("deep nesting is reported where it crosses the limit, with why") {
  auto r = load_config_text("connection_type: normal\nconnection_settings:\n  host: " + std::string(3000, '[') +
                                std::string(3000, ']') + "\n",
                            "t.yaml");
  const Finding* f = first_error(r);
  REQUIRE(f);
  CHECK(f->message.find("nested more than 64 levels deep") != std::string::npos);
  CHECK(f->line == 3);
  CHECK(f->column == 9 + 62);  // the document and the section are levels 1 and 2: this bracket opens 65
  // Block nesting on one line counts the same.
  std::string dashes;
  for (int i = 0; i < 100; ++i) dashes += "- ";
  auto b = load_config_text("sync_settings:\n  " + dashes + "x\n", "t.yaml");
  REQUIRE(first_error(b));
  CHECK(first_error(b)->message.find("nested more than 64 levels deep") != std::string::npos);
  CHECK(first_error(b)->line == 2);
  // Ordinary nesting is fine.
  CHECK_FALSE(load_config_text("connection_settings: {host: [a, {b: [c]}]}\n", "t.yaml").findings.empty());
}
