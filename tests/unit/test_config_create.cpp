// pgconfig create: the rendered template is a valid config and never holds a password.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "config/create.hpp"
#include "config/loader.hpp"
#include "core/error.hpp"

using namespace pgmonkey::config;

TEST_CASE("the default template validates cleanly") {
  auto text = render_new_config(false);
  auto r = load_config_text(text, "new.yaml");
  CHECK(r.findings.empty());
  CHECK(r.config.get("host") == std::optional<std::string>("localhost"));
  CHECK_FALSE(r.config.get("options"));  // only written when PGOPTIONS is set
}

TEST_CASE("--from-env fills settings, quotes them, and leaves the password out") {
  EnvLookup env = fixed_env({{"PGHOST", "db.example"},
                             {"PGPORT", "6543"},
                             {"PGUSER", "o'brien"},
                             {"PGPASSWORD", "envsecret77"},
                             {"PGDATABASE", "sales"},
                             {"PGSSLMODE", "require"},
                             {"PGOPTIONS", "-c search_path=app"},
                             {"PGTARGETSESSIONATTRS", "read-write"}});
  auto text = render_new_config(true, env);
  CHECK(text.find("envsecret77") == std::string::npos);
  auto r = load_config_text(text, "new.yaml");
  CHECK(r.findings.empty());
  CHECK(r.config.get("user") == std::optional<std::string>("o'brien"));
  CHECK(r.config.get("port") == std::optional<std::string>("6543"));
  CHECK(r.config.get("sslmode") == std::optional<std::string>("require"));
  CHECK(r.config.get("options") == std::optional<std::string>("-c search_path=app"));
  CHECK(r.config.get("target_session_attrs") == std::optional<std::string>("read-write"));
  CHECK_FALSE(r.config.has_password());
}

TEST_CASE("write_new_config: 0600, parent folders, no overwrite without force") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("pgm_create_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto path = (dir / "a" / "b" / "c.yaml").string();
  write_new_config(path, "first\n", false);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_THROWS_AS(write_new_config(path, "second\n", false), pgmonkey::UsageError);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  CHECK(line == "first");
  write_new_config(path, "second\n", true);
  std::ifstream in2(path);
  std::getline(in2, line);
  CHECK(line == "second");
  CHECK(std::distance(fs::directory_iterator(dir / "a" / "b"), fs::directory_iterator()) == 1);  // no temp left
  fs::remove_all(dir);
}
