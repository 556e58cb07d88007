// Unit tests for the libpqxx version a generated C++ program is written for.
#include <doctest/doctest.h>

#include "codegen/generate.hpp"
#include "codegen/libpqxx_version.hpp"
#include "config/loader.hpp"
#include "core/error.hpp"

using namespace pgmonkey;

namespace {

config::Config load() {
  auto r = config::load_config_text(
      "connection_type: 'normal'\nconnection_settings:\n  host: 'h'\n"
      "sync_settings:\n  lock_timeout: '2500'\n",
      "t.yaml");
  REQUIRE_FALSE(r.has_errors());
  return r.config;
}

codegen::Program cpp(const std::string& type, int libpqxx) {
  codegen::Request r;
  r.connection_type = type;
  r.config_path = "app.yaml";
  r.libpqxx = libpqxx;
  return codegen::generate(load(), r);
}

}  // namespace

TEST_CASE("the libpqxx major version is read from pkg-config's version string") {
  CHECK(codegen::libpqxx_major_of("7.10.0") == 7);
  CHECK(codegen::libpqxx_major_of("6.4.5") == 6);
  CHECK(codegen::libpqxx_major_of("7") == 7);
  CHECK_FALSE(codegen::libpqxx_major_of("").has_value());
  CHECK_FALSE(codegen::libpqxx_major_of("abc").has_value());
}

TEST_CASE("--libpqxx 6 and 7 write the connection each version needs, and say which") {
  for (const char* type : {"normal", "pool"}) {
    CAPTURE(type);
    auto six = cpp(type, 6);
    CHECK(six.libpqxx.major == 6);
    CHECK(six.libpqxx.source == "--libpqxx");
    CHECK(six.text.find("pqxx::connectionpolicy") != std::string::npos);
    CHECK(six.text.find("tx.exec_params(") != std::string::npos);
    CHECK(six.text.find("#if PQXX_VERSION_MAJOR != 6") != std::string::npos);
    CHECK(six.text.find("seize_raw_connection") == std::string::npos);

    auto seven = cpp(type, 7);
    CHECK(seven.libpqxx.major == 7);
    CHECK(seven.text.find("pqxx::connection::seize_raw_connection") != std::string::npos);
    CHECK(seven.text.find("pqxx::params{name, value}") != std::string::npos);
    CHECK(seven.text.find("#if PQXX_VERSION_MAJOR < 7") != std::string::npos);
    // Nothing libpqxx 7 removed or deprecated.
    for (const char* gone : {"connectionpolicy", "connection_base", "exec_params"}) {
      CAPTURE(gone);
      CHECK(seven.text.find(gone) == std::string::npos);
    }
    CHECK(seven.text.find("{{") == std::string::npos);
  }
}

TEST_CASE("without --libpqxx the C++ program is written for an installed libpqxx") {
  auto p = cpp("normal", 0);
  CHECK((p.libpqxx.major == 6 || p.libpqxx.major == 7));
  CHECK_FALSE(p.libpqxx.source.empty());
  CHECK(p.libpqxx.source != "--libpqxx");
}

TEST_CASE("--libpqxx takes 6 or 7, and only for C++") {
  CHECK_THROWS_AS(cpp("normal", 5), UsageError);
  codegen::Request r;
  r.language = "c";
  r.connection_type = "normal";
  r.libpqxx = 7;
  CHECK_THROWS_AS(codegen::generate(load(), r), UsageError);
  r.libpqxx = 0;
  CHECK(codegen::generate(load(), r).libpqxx.major == 0);
}
