// Connection parameters, failure classification and quoting, without a server.
#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <cstring>

#include "config/loader.hpp"
#include "db/connect_failure.hpp"
#include "db/connect_params.hpp"
#include "db/connection.hpp"
#include "db/quote.hpp"
#include "probe/retry.hpp"

using namespace pgmonkey;

TEST_CASE("awkward passwords reach libpq unchanged as keyword/value pairs") {
  const std::string awkward = "it's a \"pass\\word\" with = and spaces ";
  config::Config cfg;
  cfg.connection = {{"host", "db"}, {"password", awkward}, {"port", "5433"}};
  auto p = db::make_params(cfg, "pgconfig");
  auto k = p.keyword_ptrs();
  auto v = p.value_ptrs();
  REQUIRE(k.size() == 5);  // host, password, port, fallback_application_name, terminator
  CHECK(k.back() == nullptr);
  CHECK(v.back() == nullptr);
  CHECK(std::string(k[1]) == "password");
  CHECK(std::string(v[1]) == awkward);
  CHECK(p.get("fallback_application_name") == "pgconfig");
  // libpq itself accepts the arrays as they are (parsing only, no connection is made).
  char* err = nullptr;
  PQconninfoOption* parsed = nullptr;
  std::string conninfo;  // not used to connect: only to prove libpq sees the same value
  PGconn* c = PQconnectStartParams(k.data(), v.data(), 0);
  REQUIRE(c != nullptr);
  parsed = PQconninfo(c);
  REQUIRE(parsed != nullptr);
  bool seen = false;
  for (auto* o = parsed; o->keyword; ++o)
    if (std::strcmp(o->keyword, "password") == 0 && o->val) seen = (awkward == o->val);
  CHECK(seen);
  PQconninfoFree(parsed);
  PQfinish(c);
  (void)err;
}

TEST_CASE("describe() never includes the password") {
  config::Config cfg;
  cfg.connection = {{"host", "db"}, {"user", "u"}, {"password", "pw-value-123"}};
  auto p = db::make_params(cfg, "t");
  CHECK(p.describe().find("host=db ") == 0);
  CHECK(p.describe().find("dbname=u user=u") != std::string::npos);  // libpq's default database: the user
  CHECK(p.describe().find("pw-value-123") == std::string::npos);
  config::Config uri;
  uri.connection = {{"service", "postgresql://u:pw-in-uri-77@h/db"}};
  CHECK(db::make_params(uri, "t").describe().find("service=postgresql://***@h/db") != std::string::npos);
}

TEST_CASE("an application_name given by the user wins over the fallback") {
  config::Config cfg;
  cfg.connection = {{"application_name", "myapp"}};
  auto p = db::make_params(cfg, "pgconfig");
  CHECK(p.get("application_name") == "myapp");
  CHECK(p.get("fallback_application_name") == "pgconfig");  // libpq uses it only when the other is unset
}

TEST_CASE("connection failures are classified with hints") {
  db::ConnectParams p;
  struct Case {
    const char* text;
    ConnectFailure kind;
  };
  const Case cases[] = {
      {"could not translate host name \"nohost\" to address: Name or service not known", ConnectFailure::unknown_host},
      {"connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running?",
       ConnectFailure::refused},
      {"connection to server at \"10.0.0.1\", port 5432 failed: timeout expired", ConnectFailure::timeout},
      {"FATAL:  password authentication failed for user \"u\"", ConnectFailure::authentication},
      {"FATAL:  database \"nodb\" does not exist", ConnectFailure::database_missing},
      {"FATAL:  role \"nobody\" does not exist", ConnectFailure::authentication},
      {"FATAL:  sorry, too many clients already", ConnectFailure::too_many_connections},
      {"FATAL:  the database system is starting up", ConnectFailure::starting_up},
      {"server does not support SSL, but SSL was required", ConnectFailure::tls},
      {"SSL error: certificate verify failed", ConnectFailure::tls},
  };
  for (const auto& c : cases) {
    auto e = db::classify_connect_failure(c.text, p);
    CAPTURE(c.text);
    CHECK(e.kind() == c.kind);
    CHECK_FALSE(e.hint().empty());
    CHECK(e.code() == ExitCode::connect);
  }
  CHECK(db::is_transient(ConnectFailure::refused));
  CHECK_FALSE(db::is_transient(ConnectFailure::authentication));
}

TEST_CASE("identifiers and literals are quoted, never glued") {
  CHECK(db::quote_ident("Users") == "\"Users\"");
  CHECK(db::quote_ident("a\"b") == "\"a\"\"b\"");
  CHECK(db::quote_ident("x\"; DROP TABLE t; --") == "\"x\"\"; DROP TABLE t; --\"");
  CHECK(db::quote_literal("it's") == "'it''s'");
  CHECK(db::quote_literal("a\\b") == " E'a\\\\b'");
}

TEST_CASE("--wait backs off from 0.5 s, doubling, capped") {
  CHECK(probe::backoff_delay(1) == doctest::Approx(0.5));
  CHECK(probe::backoff_delay(2) == doctest::Approx(1.0));
  CHECK(probe::backoff_delay(3) == doctest::Approx(2.0));
  CHECK(probe::backoff_delay(10) == doctest::Approx(8.0));
}

TEST_CASE("retries stop at once on a non-transient failure") {
  int calls = 0;
  CHECK_THROWS_AS(probe::with_retries(
                      10,
                      [&] {
                        ++calls;
                        throw ConnectError(ConnectFailure::authentication, "bad password");
                      },
                      nullptr),
                  ConnectError);
  CHECK(calls == 1);
  calls = 0;
  probe::with_retries(
      5,
      [&] {
        if (++calls < 2) throw ConnectError(ConnectFailure::refused, "refused");
      },
      nullptr);
  CHECK(calls == 2);
}

TEST_CASE("SQLSTATEs survive libpqxx 6.4's exception classes") {
  CHECK(db::sqlstate_of(pqxx::insufficient_privilege("denied")) == "42501");
  CHECK(db::sqlstate_of(pqxx::unique_violation("dup")) == "23505");
  CHECK(db::sqlstate_of(pqxx::undefined_table("no table")) == "42P01");
  CHECK(db::sqlstate_of(pqxx::syntax_error("bad")) == "42601");
  CHECK(db::sqlstate_of(pqxx::data_exception("bad value")) == "22000");
  CHECK(db::sqlstate_of(pqxx::sql_error("given", "q", "57014")) == "57014");
  CHECK(db::sqlstate_of(pqxx::sql_error("unknown")).empty());
}

TEST_CASE("qualified names and identifier lists are quoted part by part") {
  using pgmonkey::db::quote_ident_list;
  using pgmonkey::db::quote_qualified;
  CHECK(quote_qualified("", "t") == "\"t\"");
  CHECK(quote_qualified("my.schema", "Odd\"T") == "\"my.schema\".\"Odd\"\"T\"");
  CHECK(quote_ident_list({}).empty());
  CHECK(quote_ident_list({"a", "b\"c"}) == "\"a\", \"b\"\"c\"");
}
