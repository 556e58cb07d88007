// Validation rules of the config loader: every finding, with file:line, and the values it keeps.
#include <doctest/doctest.h>

#include <map>

#include "config/loader.hpp"
#include "config/schema.hpp"
#include "core/redact.hpp"

using namespace pgmonkey::config;

namespace {

LoadResult load(const std::string& text, LoadOptions opts = {}) {
  return load_config_text(text, "t.yaml", opts);
}

const Finding* find_key(const LoadResult& r, const std::string& key) {
  for (const auto& f : r.findings)
    if (f.key == key) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("a complete pgmonkey config loads without findings") {
  auto r = load(R"(connection_type: 'pool'
connection_settings:
  user: 'app'
  password: 'pw'
  host: 'db.example.com'
  port: 5432
  dbname: 'appdb'
  sslmode: 'verify-full'
  connect_timeout: 10
  application_name: 'myapp'
  keepalives: 1
  keepalives_idle: 60
  keepalives_interval: 15
  keepalives_count: 5
  autocommit: true
  sslcert: ''
sync_settings:
  statement_timeout: '30000'
async_settings:
  lock_timeout: '10s'
pool_settings:
  min_size: 2
  max_size: 20
  timeout: 30
  max_idle: 300
  max_lifetime: 3600
  check_on_checkout: true
  max_waiting: 5
  reconnect_timeout: 60
  num_workers: 3
async_pool_settings:
  min_size: 1
  max_size: 4
)");
  CHECK(r.findings.empty());
  CHECK(r.config.type == ConnectionType::pool);
  CHECK(r.config.get("host") == std::optional<std::string>("db.example.com"));
  CHECK(r.config.get("port") == std::optional<std::string>("5432"));
  CHECK_FALSE(r.config.get("sslcert").has_value());  // empty means "not set"
  CHECK(r.config.autocommit == std::optional<bool>(true));
  CHECK_FALSE(r.config.get("autocommit").has_value());  // not a libpq keyword
  CHECK(r.config.pool.min_size == 2);
  CHECK(r.config.pool.max_size == 20);
  CHECK(r.config.pool.check_on_checkout);
  CHECK(r.config.pool.num_workers == std::optional<long long>(3));
  CHECK(r.config.async_pool.max_size == 4);
  REQUIRE(r.config.sync_settings.size() == 1);
  CHECK(r.config.sync_settings[0].key == "statement_timeout");
  CHECK(r.config.sync_settings[0].value == "30000");
  CHECK(r.config.session_settings(ConnectionType::async)[0].key == "lock_timeout");
}

TEST_CASE("unknown keys at every level are errors with line and did-you-mean") {
  auto r = load("connection_setings:\n  host: x\n");
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::error);
  CHECK(r.findings[0].line == 1);
  CHECK(r.findings[0].hint == "did you mean 'connection_settings'?");

  r = load("connection_settings:\n  user: a\n  hosst: localhost\n");
  auto* f = find_key(r, "connection_settings.hosst");
  REQUIRE(f);
  CHECK(f->line == 3);
  CHECK(f->column == 3);
  CHECK(f->hint == "did you mean 'host'?");

  r = load("pool_settings:\n  max_sise: 3\n");
  f = find_key(r, "pool_settings.max_sise");
  REQUIRE(f);
  CHECK(f->hint == "did you mean 'max_size'?");
}

TEST_CASE("did-you-mean draws on libpq's own keywords") {
  auto r = load("connection_settings:\n  target_sesion_attrs: read-write\n");
  auto* f = find_key(r, "connection_settings.target_sesion_attrs");
  REQUIRE(f);
  CHECK(f->hint == "did you mean 'target_session_attrs'?");
}

TEST_CASE("other libpq keywords are accepted, multi-host lists included") {
  auto r = load(R"(connection_settings:
  host: 'h1,h2'
  port: '5432,5433'
  target_session_attrs: 'read-write'
  gssencmode: 'disable'
  options: '-c search_path=app'
)");
  CHECK(r.findings.empty());
  CHECK(r.config.get("target_session_attrs") == std::optional<std::string>("read-write"));
  CHECK(r.config.get("options") == std::optional<std::string>("-c search_path=app"));
}

TEST_CASE("values libpq would refuse at connect time are config errors now") {
  auto r = load(R"(connection_settings:
  target_session_attrs: primaryy
  channel_binding: whatever
  sslsni: yes
  keepalives: 'true'
)");
  auto* t = find_key(r, "connection_settings.target_session_attrs");
  REQUIRE(t);
  CHECK(t->severity == Severity::error);
  CHECK(t->message.find("must be one of any, read-write") != std::string::npos);
  REQUIRE(find_key(r, "connection_settings.channel_binding"));
  CHECK_FALSE(find_key(r, "connection_settings.sslsni"));
  CHECK(r.config.get("sslsni") == std::optional<std::string>("1"));  // a YAML boolean as libpq spells it
  CHECK(r.config.get("keepalives") == std::optional<std::string>("1"));
  auto tls = load("connection_settings:\n  ssl_min_protocol_version: tlsv1.2\n");  // libpq ignores case here
  CHECK(tls.findings.empty());
  CHECK(tls.config.get("ssl_min_protocol_version") == std::optional<std::string>("TLSv1.2"));
}

TEST_CASE("a password in the file is one written as is or as a ${VAR:-default}") {
  LoadOptions opts;
  opts.resolve_env = true;
  opts.allow_sensitive_defaults = true;
  opts.env = fixed_env({{"PW", "from-env-1"}});
  CHECK(load("connection_settings:\n  password: 'x-secret'\n", opts).password_in_file);
  CHECK_FALSE(load("connection_settings:\n  password: '${PW}'\n", opts).password_in_file);
  CHECK_FALSE(load("connection_settings:\n  password: {from_env: PW}\n", opts).password_in_file);
  CHECK(load("connection_settings:\n  password: '${NOPE:-hunter22}'\n", opts).password_in_file);
}

TEST_CASE("unquoted values that pgmonkey's YAML 1.1 parser reads as something else are warnings") {
  auto r = load(R"(connection_settings:
  user: 0755
  password: yes
  dbname: '0755'
  host: 127.0.0.1
  application_name: 1.50
  sslmode: disable
)");
  auto* user = find_key(r, "connection_settings.user");
  REQUIRE(user);
  CHECK(user->severity == Severity::warning);
  CHECK(user->message == "unquoted '0755' is an octal number to YAML 1.1 parsers (pgmonkey, PyYAML), not this text");
  auto* pw = find_key(r, "connection_settings.password");
  REQUIRE(pw);
  CHECK(pw->message.find("unquoted value is a boolean") != std::string::npos);  // never echoed
  REQUIRE(find_key(r, "connection_settings.application_name"));
  CHECK_FALSE(find_key(r, "connection_settings.dbname"));  // quoted
  CHECK_FALSE(find_key(r, "connection_settings.host"));    // a string to PyYAML too
  CHECK(r.config.get("user") == std::optional<std::string>("0755"));
  CHECK(yaml11_reading("0x1F") == "a hexadecimal number");
  CHECK(yaml11_reading("1_000") == "a number");
  CHECK(yaml11_reading("12:30") == "a base-60 number");
  CHECK(yaml11_reading(".5") == "a decimal number");
  CHECK(yaml11_reading("secret1") == "");
  CHECK(yaml11_reading("123456") == "");  // an int that prints as written
}

TEST_CASE("a misspelt section is still checked, so every finding comes in one pass") {
  auto r = load("connection_setings:\n  Host: x\n  sslmod: require\npool_setings:\n  max_sise: 3\n");
  REQUIRE(find_key(r, "connection_setings"));
  CHECK(find_key(r, "connection_setings")->hint == "did you mean 'connection_settings'?");
  REQUIRE(find_key(r, "connection_settings.sslmod"));
  CHECK(find_key(r, "connection_settings.sslmod")->hint == "did you mean 'sslmode'?");
  REQUIRE(find_key(r, "connection_settings.Host"));
  REQUIRE(find_key(r, "pool_settings.max_sise"));
  CHECK(find_key(r, "connection_settings.sslmod")->line == 3);
}

TEST_CASE("YAML merge keys work as in pgmonkey's parser") {
  auto r = load(R"(connection_type: async_pool
connection_settings: &conn
  host: db.example.com
pool_settings: &pool
  min_size: 2
  max_size: 4
  timeout: 10
async_pool_settings:
  <<: *pool
  max_size: 6
sync_settings:
  <<: [{statement_timeout: '1000'}, {lock_timeout: '500'}]
)");
  CHECK(r.findings.empty());
  CHECK(r.config.async_pool.min_size == 2);
  CHECK(r.config.async_pool.max_size == 6);  // the mapping's own value wins
  CHECK(r.config.pool.max_size == 4);        // the base is unchanged
  CHECK(r.config.sync_settings.size() == 2);
  auto bad = load("pool_settings:\n  <<: 3\n");
  REQUIRE(find_key(bad, "pool_settings.<<"));
  // An alias can make a node contain itself; loading still ends.
  auto self = load("a: &x {b: *x, c: *x, <<: *x}\nconnection_settings: {host: h}\n");
  REQUIRE(find_key(self, "a"));
}

TEST_CASE("types and ranges are checked and every finding is reported") {
  auto r = load(R"(connection_type: sync
connection_settings:
  port: 0
  sslmode: verify
  connect_timeout: -1
  keepalives: 2
  autocommit: maybe
pool_settings:
  min_size: 10
  max_size: 5
  timeout: -3
  check_on_checkout: perhaps
)");
  CHECK(find_key(r, "connection_type"));
  CHECK(find_key(r, "connection_settings.port"));
  CHECK(find_key(r, "connection_settings.sslmode"));
  CHECK(find_key(r, "connection_settings.connect_timeout"));
  CHECK(find_key(r, "connection_settings.keepalives"));
  CHECK(find_key(r, "connection_settings.autocommit"));
  CHECK(find_key(r, "pool_settings.timeout"));
  CHECK(find_key(r, "pool_settings.check_on_checkout"));
  auto* order = find_key(r, "pool_settings");
  REQUIRE(order);
  CHECK(order->message.find("min_size (10) is larger than max_size (5)") != std::string::npos);
  CHECK(find_key(r, "connection_settings.port")->line == 3);
  for (const auto& f : r.findings) CHECK(f.severity == Severity::error);
  CHECK(r.findings.size() == 9);
}

TEST_CASE("ports: the edges of the range and lists") {
  CHECK(load("connection_settings:\n  port: 1\n").findings.empty());
  CHECK(load("connection_settings:\n  port: 65535\n").findings.empty());
  CHECK_FALSE(load("connection_settings:\n  port: 65536\n").findings.empty());
  CHECK_FALSE(load("connection_settings:\n  port: 'abc'\n").findings.empty());
  CHECK_FALSE(load("connection_settings:\n  port: '5432,99999'\n").findings.empty());
}

TEST_CASE("malformed YAML reports YAML's line and column") {
  auto r = load("connection_settings:\n  host: [a, b\n");
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].message.rfind("malformed YAML", 0) == 0);
  CHECK(r.findings[0].line >= 2);
  CHECK(r.findings[0].column >= 1);
}

TEST_CASE("the legacy postgresql: wrapper is read with a deprecation warning") {
  auto r = load("postgresql:\n  connection_type: async\n  connection_settings:\n    host: x\n");
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::warning);
  CHECK(r.findings[0].message.find("deprecated") != std::string::npos);
  CHECK(r.config.type == ConnectionType::async);
  CHECK(r.config.get("host") == std::optional<std::string>("x"));
}

TEST_CASE("a pool type without its pool section is a warning") {
  auto r = load("connection_type: async_pool\n");
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::warning);
  CHECK(r.has_warnings());
  CHECK_FALSE(r.has_errors());
}

TEST_CASE("session settings must be parameter names") {
  auto r = load("sync_settings:\n  'statement_timeout; DROP TABLE x': 1\n  myapp.tenant: 'a'\n");
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::error);
  REQUIRE(r.config.sync_settings.size() == 1);
  CHECK(r.config.sync_settings[0].key == "myapp.tenant");
}

TEST_CASE("interpolation is opt-in") {
  const std::string text = "connection_settings:\n  host: '${DBHOST}'\n  user: {from_env: DBUSER}\n";
  auto r = load(text);
  CHECK(r.config.get("host") == std::optional<std::string>("${DBHOST}"));
  auto* w = find_key(r, "connection_settings.host");
  REQUIRE(w);
  CHECK(w->severity == Severity::warning);
  auto* e = find_key(r, "connection_settings.user");
  REQUIRE(e);
  CHECK(e->severity == Severity::error);

  LoadOptions opts;
  opts.resolve_env = true;
  opts.env = fixed_env({{"DBHOST", "db1"}, {"DBUSER", "alice"}});
  r = load(text, opts);
  CHECK(r.findings.empty());
  CHECK(r.config.get("host") == std::optional<std::string>("db1"));
  CHECK(r.config.get("user") == std::optional<std::string>("alice"));
}

TEST_CASE("defaults, missing variables and sensitive keys") {
  LoadOptions opts;
  opts.resolve_env = true;
  opts.env = fixed_env({});
  auto r = load("connection_settings:\n  host: '${DBHOST:-localhost}'\n  port: '${DBPORT}'\n", opts);
  CHECK(r.config.get("host") == std::optional<std::string>("localhost"));
  auto* missing = find_key(r, "connection_settings.port");
  REQUIRE(missing);
  CHECK(missing->message.find("DBPORT") != std::string::npos);

  const std::string secret_default = "connection_settings:\n  password: '${PGPW:-topsecret99}'\n";
  r = load(secret_default, opts);
  auto* refused = find_key(r, "connection_settings.password");
  REQUIRE(refused);
  CHECK(refused->severity == Severity::error);
  CHECK(refused->to_string().find("topsecret99") == std::string::npos);
  CHECK(refused->hint.find("--allow-sensitive-defaults") != std::string::npos);

  opts.allow_sensitive_defaults = true;
  r = load(secret_default, opts);
  CHECK(r.findings.empty());
  CHECK(r.config.get("password") == std::optional<std::string>("topsecret99"));
}

TEST_CASE("a bad password value is reported without echoing it") {
  auto r = load("connection_settings:\n  password: [secretvalue42]\n");
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].to_string().find("secretvalue42") == std::string::npos);
}

TEST_CASE("loaded passwords are registered for redaction") {
  load("connection_settings:\n  password: 'Sup3r$ecret'\n");
  CHECK(pgmonkey::core::redact("auth with Sup3r$ecret failed") == "auth with ******** failed");
}

TEST_CASE("an empty or non-mapping document is an error") {
  CHECK(load("").has_errors());
  CHECK(load("- a\n- b\n").has_errors());
}

TEST_CASE("a URI or conninfo string in dbname is refused without echoing it") {
  auto r = load("connection_settings:\n  dbname: 'postgresql://u:TopSecret99@h/db'\n");
  auto* f = find_key(r, "connection_settings.dbname");
  REQUIRE(f);
  CHECK(f->severity == Severity::error);
  CHECK(f->to_string().find("TopSecret99") == std::string::npos);
  CHECK(load("connection_settings:\n  dbname: 'host=h password=x'\n").has_errors());
  CHECK_FALSE(load("connection_settings:\n  dbname: 'sales-2024'\n").has_errors());
}

TEST_CASE("duplicate keys are errors naming the first one") {
  auto r = load("connection_settings:\n  host: a\n  host: b\nsync_settings:\n  x.y: 1\n  x.y: 2\n");
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].line == 3);
  CHECK(r.findings[0].message == "duplicate key (first at line 2)");
  CHECK(r.findings[1].key == "sync_settings.x.y");
}
