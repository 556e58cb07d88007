// psql-style connection values: -d parsing, where each value comes from, failure reasons and
// SQLSTATEs, and `pgconfig create --from-env/--from-dsn`. No server needed.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "config/create.hpp"
#include "config/loader.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"
#include "db/connect_failure.hpp"
#include "db/connect_params.hpp"

using namespace pgmonkey;

namespace {

// Sets (or with nullopt unsets) PG* variables for one test and puts the old values back.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::map<std::string, std::optional<std::string>>& vars) {
    for (const auto& [k, v] : vars) {
      const char* old = std::getenv(k.c_str());
      saved_[k] = old ? std::optional<std::string>(old) : std::nullopt;
      v ? ::setenv(k.c_str(), v->c_str(), 1) : ::unsetenv(k.c_str());
    }
  }
  ~ScopedEnv() {
    for (const auto& [k, v] : saved_) v ? ::setenv(k.c_str(), v->c_str(), 1) : ::unsetenv(k.c_str());
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

std::string value_of(const std::vector<std::pair<std::string, std::string>>& kv, const std::string& key) {
  for (const auto& [k, v] : kv)
    if (k == key) return v;
  return "(unset)";
}

}  // namespace

TEST_CASE("-d: a name is a database, a URI or conninfo becomes keywords, the password is masked") {
  auto plain = db::parse_dbname_argument("sales");
  REQUIRE(plain.size() == 1);
  CHECK(plain[0] == std::pair<std::string, std::string>{"dbname", "sales"});

  auto uri = db::parse_dbname_argument("postgresql://app:uri-secret-42@db.example:6543/shop?sslmode=require");
  CHECK(value_of(uri, "host") == "db.example");
  CHECK(value_of(uri, "port") == "6543");
  CHECK(value_of(uri, "user") == "app");
  CHECK(value_of(uri, "dbname") == "shop");
  CHECK(value_of(uri, "sslmode") == "require");
  CHECK(value_of(uri, "password") == "uri-secret-42");
  CHECK(core::redact("oops uri-secret-42 leaked") == "oops ******** leaked");

  auto conninfo = db::parse_dbname_argument("host=h1 port=5999 dbname='my db'");
  CHECK(value_of(conninfo, "host") == "h1");
  CHECK(value_of(conninfo, "dbname") == "my db");

  std::string message;
  try {
    db::parse_dbname_argument("postgresql://u:bad-uri-pw-77@h/db?no_such_option=1");
  } catch (const UsageError& e) {
    message = e.what();
  }
  CHECK(message.find("invalid -d/--dbname") != std::string::npos);
  CHECK(message.find("no_such_option") != std::string::npos);
  CHECK(core::redact(message).find("bad-uri-pw-77") == std::string::npos);
}

TEST_CASE("value sources: command line, config line, environment, default; never a password value") {
  ScopedEnv env({{"PGHOST", "env-host"},
                 {"PGPORT", std::nullopt},
                 {"PGUSER", std::nullopt},
                 {"PGDATABASE", "envdb"},
                 {"PGSERVICE", std::nullopt},
                 {"PGPASSWORD", std::nullopt}});
  config::Config cfg;
  cfg.path = "app.yaml";
  cfg.connection = {{"user", "cfg-user", 4}, {"port", "7777", db::kFromCommandLine}, {"password", "pw-never-shown", 6}};
  auto p = db::make_params(cfg, "pgconfig");
  std::map<std::string, std::pair<std::string, std::string>> got;
  for (const auto& s : db::value_sources(p)) got[s.keyword] = {s.value, s.origin};
  CHECK(got["host"] == std::pair<std::string, std::string>{"env-host", "environment PGHOST"});
  CHECK(got["port"] == std::pair<std::string, std::string>{"7777", "command line"});
  CHECK(got["user"] == std::pair<std::string, std::string>{"cfg-user", "config app.yaml line 4"});
  CHECK(got["dbname"] == std::pair<std::string, std::string>{"envdb", "environment PGDATABASE"});
  CHECK(got["password"] == std::pair<std::string, std::string>{"", "config app.yaml line 6"});
  // Messages name the real target, environment included, and hints say where to fix it.
  CHECK(p.describe() == "host=env-host port=7777 dbname=envdb user=cfg-user");
  CHECK(p.where("dbname") == "PGDATABASE");
  CHECK(p.where("user") == "'user' in the config");
  CHECK(p.where("port") == "the command-line value of 'port'");
}

TEST_CASE("unset values are libpq's defaults: the port, and the user name for the database") {
  ScopedEnv env({{"PGHOST", std::nullopt},
                 {"PGPORT", std::nullopt},
                 {"PGUSER", "someone"},
                 {"PGDATABASE", std::nullopt},
                 {"PGSERVICE", std::nullopt}});
  auto p = db::make_params(config::Config{}, "");
  CHECK(p.describe() == "host=(local socket) port=5432 dbname=someone user=someone");
  CHECK(p.where("host").find("libpq's default") != std::string::npos);
  CHECK(p.where("host").find("-h or PGHOST") != std::string::npos);
}

TEST_CASE("failure reasons and the server's SQLSTATE") {
  CHECK(std::string(db::reason(ConnectFailure::refused)) == "refused");
  CHECK(std::string(db::reason(ConnectFailure::authentication)) == "auth_failed");
  CHECK(std::string(db::reason(ConnectFailure::database_missing)) == "no_database");
  CHECK(std::string(db::reason(ConnectFailure::starting_up)) == "other");
  CHECK(std::string(db::reason(ConnectFailure::unknown)) == "other");
  CHECK(db::connect_sqlstate("FATAL:  password authentication failed for user \"x\"") == "28P01");
  CHECK(db::connect_sqlstate("FATAL:  database \"nope\" does not exist") == "3D000");
  CHECK(db::connect_sqlstate("FATAL:  role \"nope\" does not exist") == "28000");
  CHECK(db::connect_sqlstate("FATAL:  sorry, too many clients already") == "53300");
  CHECK(db::connect_sqlstate("FATAL:  the database system is starting up") == "57P03");
  CHECK(db::connect_sqlstate("Connection refused") == "");
  config::Config cfg;
  cfg.connection = {{"dbname", "x", 3}};
  auto e = db::classify_connect_failure("FATAL:  database \"x\" does not exist", db::make_params(cfg, ""));
  CHECK(e.kind() == ConnectFailure::database_missing);
  CHECK(e.hint() == "create the database or fix 'dbname' in the config");
}

TEST_CASE("--from-env writes only what is set, a service by name, and says when nothing is") {
  using config::fixed_env;
  auto some = config::render_new_config(true, fixed_env({{"PGPORT", "6000"}, {"PGDATABASE", "sales"}}));
  auto r = config::load_config_text(some, "env.yaml");
  CHECK_FALSE(r.has_errors());
  CHECK(r.config.get("port") == std::optional<std::string>("6000"));
  CHECK(r.config.get("dbname") == std::optional<std::string>("sales"));
  CHECK_FALSE(r.config.get("host"));  // libpq's default (the Unix socket) stays in force
  CHECK_FALSE(r.config.get("user"));
  CHECK_FALSE(r.config.get("application_name"));  // no 'myapp' overriding PGAPPNAME
  CHECK(some.find("myapp") == std::string::npos);

  auto service = config::render_new_config(true, fixed_env({{"PGSERVICE", "billing"}, {"PGHOST", "ignored"}}));
  auto s = config::load_config_text(service, "svc.yaml");
  CHECK_FALSE(s.has_errors());
  CHECK(s.config.get("service") == std::optional<std::string>("billing"));
  CHECK_FALSE(s.config.get("host"));

  auto none = config::render_new_config(true, fixed_env({}));
  CHECK(none.find("No PG* variables were set") != std::string::npos);
  CHECK(config::env_variables_set(fixed_env({})).empty());
  CHECK(config::env_variables_set(fixed_env({{"PGPORT", "1"}, {"PGSERVICE", "x"}})) ==
        std::vector<std::string>{"PGSERVICE", "PGPORT"});
}

TEST_CASE("--from-dsn: the URI's settings, the password only when asked") {
  std::vector<std::pair<std::string, std::string>> kv = {
      {"host", "db.example"}, {"port", "5433"}, {"user", "app"}, {"password", "dsn-pw-9"}, {"gssencmode", "disable"}};
  auto without = config::render_config_from_settings(kv, false, "From a URI");
  CHECK(without.find("dsn-pw-9") == std::string::npos);
  auto r = config::load_config_text(without, "dsn.yaml");
  CHECK_FALSE(r.has_errors());
  CHECK(r.config.get("host") == std::optional<std::string>("db.example"));
  CHECK(r.config.get("gssencmode") == std::optional<std::string>("disable"));
  CHECK_FALSE(r.config.get("dbname"));
  CHECK_FALSE(r.config.has_password());
  auto with = config::render_config_from_settings(kv, true, "From a URI");
  auto w = config::load_config_text(with, "dsn.yaml");
  CHECK_FALSE(w.has_errors());
  CHECK(w.config.get("password") == std::optional<std::string>("dsn-pw-9"));
}

TEST_CASE("a URI's password is masked in any text, registered or not") {
  CHECK(core::mask_uri_passwords("try postgresql://app:never-seen-1@db.example:5432/x now") ==
        "try postgresql://app:********@db.example:5432/x now");
  CHECK(core::redact("'postgres://u:p@h/d' and postgresql://v:q2@h2") ==
        "'postgres://u:********@h/d' and postgresql://v:********@h2");
  // No password, or no userinfo: unchanged.
  CHECK(core::redact("postgresql://app@db/x") == "postgresql://app@db/x");
  CHECK(core::redact("http://host:8080/path@x") == "http://host:8080/path@x");
  CHECK(core::redact("see https://example.org/a:b@c") == "see https://example.org/a:b@c");
}
