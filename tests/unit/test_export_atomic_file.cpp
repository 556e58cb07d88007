// The atomic output file: nothing under the target name until commit, no temp file left behind.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "temp_dir.hpp"
#include "transfer/atomic_file.hpp"

using namespace pgmonkey;
using namespace pgmonkey::transfer;
namespace fs = std::filesystem;

using pgmonkey::test::TempDir;

namespace {

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("commit renames the temp file over the target") {
  TempDir dir;
  auto target = (dir.path / "out.csv").string();
  {
    AtomicFile f(target, false);
    CHECK(fs::path(f.temp_path()).parent_path() == dir.path);
    f.write("a,b\n", 4);
    CHECK_FALSE(fs::exists(target));
    f.commit();
  }
  CHECK(read(target) == "a,b\n");
  CHECK(dir.entries() == 1);
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
}

TEST_CASE("a target name of 255 bytes still gets a temp file") {
  TempDir dir;
  auto target = (dir.path / (std::string(251, 'n') + ".csv")).string();
  {
    AtomicFile f(target, false);
    CHECK(fs::path(f.temp_path()).filename().string().size() <= 255);
    f.write("x\n", 2);
    f.commit();
  }
  CHECK(read(target) == "x\n");
  CHECK(dir.entries() == 1);
}

TEST_CASE("without commit the target is untouched and the temp file is gone") {
  TempDir dir;
  auto target = (dir.path / "out.csv").string();
  std::ofstream(target) << "old";
  ::chmod(target.c_str(), 0640);
  {
    AtomicFile f(target, true);
    f.write("new", 3);
  }
  CHECK(read(target) == "old");
  CHECK(dir.entries() == 1);
  {
    AtomicFile f(target, true);
    f.write("new", 3);
    f.commit();
  }
  CHECK(read(target) == "new");
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);  // the replaced file's mode is kept
}

TEST_CASE("an existing target needs overwrite; a folder or a missing folder is refused") {
  TempDir dir;
  auto target = (dir.path / "out.csv").string();
  std::ofstream(target) << "old";
  CHECK_THROWS_AS(AtomicFile(target, false), UsageError);
  CHECK_THROWS_AS(AtomicFile(dir.path.string(), true), UsageError);
  CHECK_THROWS_AS(AtomicFile((dir.path / "no" / "such.csv").string(), false), JobError);
  CHECK(read(target) == "old");
  CHECK(dir.entries() == 1);
}

TEST_CASE("devices and pipes are written in place, not replaced") {
  TempDir dir;
  auto regular = (dir.path / "r.csv").string();
  std::ofstream(regular) << "x";
  CHECK(is_special_file("/dev/null"));
  CHECK_FALSE(is_special_file(regular));
  CHECK_FALSE(is_special_file(dir.path.string()));
  CHECK_FALSE(is_special_file((dir.path / "missing").string()));
}

TEST_CASE("a dangling symbolic link is an existing target") {
  TempDir dir;
  auto target = (dir.path / "link.csv").string();
  fs::create_symlink(dir.path / "missing.csv", target);
  CHECK_THROWS_AS(AtomicFile(target, false), UsageError);
  CHECK(fs::is_symlink(target));
  {
    AtomicFile f(target, true);
    f.write("x\n", 2);
    f.commit();
  }
  CHECK_FALSE(fs::is_symlink(target));
  CHECK(read(target) == "x\n");
}
