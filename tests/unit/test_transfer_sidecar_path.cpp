// One naming rule for the sidecar of pgimport's input and pgexport's output.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "transfer/sidecar_path.hpp"

using namespace pgmonkey::transfer;
namespace fs = std::filesystem;

TEST_CASE("sidecar name: the extension swapped for .yaml") {
  CHECK(sidecar_path("data.csv") == "data.yaml");
  CHECK(sidecar_path("/x/data.tar.bz") == "/x/data.tar.yaml");
  CHECK(sidecar_path("/x/data.csv.gz") == "/x/data.yaml");  // a compression suffix does not count
  CHECK(sidecar_path("data.csv.zst") == "data.yaml");
  CHECK(sidecar_path("data.gz") == "data.yaml");
  CHECK(sidecar_path("/x.d/data") == "/x.d/data.yaml");
  CHECK(sidecar_path(".hidden") == ".hidden.yaml");  // a leading dot is not an extension
  CHECK(sidecar_path("d/.csv") == "d/.csv.yaml");
}

TEST_CASE("find_sidecar: pgmonkey's name first, then FILE.yaml, only regular files") {
  char tmpl[] = "/tmp/pgmonkey-sidecar-XXXXXX";
  fs::path dir = mkdtemp(tmpl);
  std::string csv = (dir / "data.csv").string();
  CHECK(find_sidecar(csv).empty());
  CHECK(find_sidecar("-").empty());
  fs::create_directory(dir / "data.yaml");  // not a file: passed over
  CHECK(find_sidecar(csv).empty());
  std::ofstream(dir / "data.csv.yaml") << "delimiter: ';'\n";
  CHECK(find_sidecar(csv) == (dir / "data.csv.yaml").string());
  fs::remove(dir / "data.yaml");
  std::ofstream(dir / "data.yaml") << "delimiter: '|'\n";
  CHECK(find_sidecar(csv) == (dir / "data.yaml").string());
  fs::remove_all(dir);
}
