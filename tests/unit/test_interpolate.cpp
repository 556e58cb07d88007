// ${VAR}, ${VAR:-default}, from_env and from_file.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "config/interpolate.hpp"

using namespace pgmonkey::config;

TEST_CASE("references expand inside larger strings") {
  auto env = fixed_env({{"A", "x"}, {"B", "y"}});
  CHECK(expand_env_refs("pre-${A}-${B}-post", "host", false, env) == "pre-x-y-post");
  CHECK(expand_env_refs("no refs", "host", false, env) == "no refs");
  CHECK(expand_env_refs("${C:-d}", "host", false, env) == "d");
  CHECK(expand_env_refs("${A:-d}", "host", false, env) == "x");
}

TEST_CASE("errors name the variable and never the default of a sensitive key") {
  auto env = fixed_env({});
  CHECK_THROWS_WITH_AS(expand_env_refs("${NOPE}", "host", false, env), "environment variable NOPE is not set",
                       InterpolationError);
  CHECK_THROWS_AS(expand_env_refs("${X", "host", false, env), InterpolationError);
  try {
    expand_env_refs("${PW:-hunter2}", "password", false, env);
    FAIL("expected a refusal");
  } catch (const InterpolationError& e) {
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
  for (const char* k : {"password", "sslkey", "sslcert", "sslrootcert"}) CHECK(is_sensitive_key(k));
  CHECK_FALSE(is_sensitive_key("host"));
}

TEST_CASE("from_file trims one trailing newline") {
  const char* path = "interp_test_secret.txt";
  {
    std::ofstream f(path, std::ios::binary);
    f << "s3cret\n";
  }
  CHECK(value_from_file(path) == "s3cret");
  {
    std::ofstream f(path, std::ios::binary);
    f << "two\r\n\n";
  }
  CHECK(value_from_file(path) == "two\r\n");
  std::remove(path);
  CHECK_THROWS_AS(value_from_file("/nonexistent/file"), InterpolationError);
  CHECK(value_from_env("A", fixed_env({{"A", ""}})).empty());
  CHECK_THROWS_AS(value_from_env("A", fixed_env({})), InterpolationError);
}
