// Unit tests for generate-code: template choice, unsupported combinations, no password in the text.
#include <doctest/doctest.h>

#include "codegen/generate.hpp"
#include "config/loader.hpp"
#include "core/error.hpp"

using namespace pgmonkey;

namespace {

const char* const kConfig = R"(connection_type: 'pool'
connection_settings:
  host: 'db.example.com'
  port: 5433
  user: 'app'
  password: 'Tr0ub4dor-secret'
  dbname: 'orders'
  sslmode: 'require'
  application_name: 'say "hi" \ ??= bye'
sync_settings:
  statement_timeout: '15000'
async_settings:
  lock_timeout: '2500'
pool_settings:
  min_size: 2
  max_size: 4
)";

config::Config load(const char* text = kConfig) {
  auto r = config::load_config_text(text, "t.yaml");
  REQUIRE_FALSE(r.has_errors());
  return r.config;
}

codegen::Request request(const std::string& language, const std::string& library = {}, const std::string& type = {}) {
  codegen::Request r;
  r.language = language;
  r.library = library;
  r.connection_type = type;
  r.config_path = "conf/app.yaml";
  return r;
}

}  // namespace

TEST_CASE("each language has a default library and the config's type is the default type") {
  auto cfg = load();
  const codegen::Variant cpp = codegen::select_variant(cfg, request("cpp"));  // a copy: GCC 14 flags a reference
  CHECK(cpp.library == "libpqxx");
  CHECK(cpp.type == config::ConnectionType::pool);
  CHECK(cpp.template_path == "codegen/cpp/pool.cpp");
  CHECK(codegen::select_variant(cfg, request("c", "", "normal")).library == "libpq");
  CHECK(codegen::select_variant(cfg, request("python")).library == "psycopg");
  CHECK(codegen::select_variant(cfg, request("python", "pgmonkey", "async_pool")).template_path ==
        "codegen/python/pgmonkey_async_pool.py");
}

TEST_CASE("unsupported combinations are usage errors that list what is supported") {
  auto cfg = load();
  try {
    codegen::select_variant(cfg, request("c"));  // the config says pool; C has no pool program
    FAIL("expected a UsageError");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()) == "no pool program for --language c --library libpq");
    CHECK(e.hint().find("c --library libpq: normal, async;") != std::string::npos);
    CHECK(e.hint().find("cpp --library libpqxx: normal, pool, async, async_pool") != std::string::npos);
    CHECK(e.code() == ExitCode::usage);
  }
  CHECK_THROWS_AS(codegen::select_variant(cfg, request("c", "", "async_pool")), UsageError);
  CHECK_THROWS_AS(codegen::select_variant(cfg, request("cpp", "psycopg")), UsageError);
  CHECK_THROWS_AS(codegen::select_variant(cfg, request("rust")), UsageError);
  CHECK_THROWS_AS(codegen::select_variant(cfg, request("python", "", "sometimes")), UsageError);
  try {
    codegen::select_variant(cfg, request("python", "libpqxx"));
    FAIL("expected a UsageError");
  } catch (const UsageError& e) {
    CHECK(e.hint().find("use --library psycopg or pgmonkey") != std::string::npos);
  }
}

TEST_CASE("every variant renders completely and never contains the password") {
  auto cfg = load();
  for (const auto& v : codegen::variants()) {
    CAPTURE(v.template_path);
    auto p = codegen::generate(cfg, request(v.language, v.library, config::to_string(v.type)));
    CHECK(p.text.find("{{") == std::string::npos);
    CHECK(p.text.find("Tr0ub4dor") == std::string::npos);
    CHECK(p.text.find("SELECT 1") != std::string::npos);
    CHECK(p.suggested_file == std::string("pgmonkey_") + config::to_string(v.type) + v.file_extension);
    if (v.language == "c") {
      CHECK(p.build_command.find("pkg-config --cflags --libs libpq") != std::string::npos);
    } else {
      // C++ and Python read the config at run time, by default from where it was generated.
      CHECK(p.text.find(v.language == "python" ? "'conf/app.yaml'" : "\"conf/app.yaml\"") != std::string::npos);
    }
    if (v.language == "cpp") {
      // The async programs use libpq's non-blocking API and need no libpqxx.
      const bool async = v.type == config::ConnectionType::async || v.type == config::ConnectionType::async_pool;
      CHECK(p.build_command.find(async ? "--libs libpq yaml-cpp)" : "--libs libpqxx libpq yaml-cpp)") !=
            std::string::npos);
      CHECK((p.text.find("#include <pqxx") == std::string::npos || !async));
    }
  }
}

TEST_CASE("C programs embed the non-secret settings as escaped literals and the right session settings") {
  auto cfg = load();
  auto normal = codegen::generate(cfg, request("c", "", "normal")).text;
  CHECK(normal.find("{ \"host\", \"db.example.com\" },") != std::string::npos);
  CHECK(normal.find("{ \"port\", \"5433\" },") != std::string::npos);
  CHECK(normal.find(R"({ "application_name", "say \"hi\" \\ \?\?= bye" },)") != std::string::npos);
  CHECK(normal.find("\"password\"") == std::string::npos);
  CHECK(normal.find("password is deliberately not written here") != std::string::npos);
  CHECK(normal.find("{ \"statement_timeout\", \"15000\" },") != std::string::npos);
  CHECK(normal.find("lock_timeout") == std::string::npos);
  auto async = codegen::generate(cfg, request("c", "", "async")).text;
  CHECK(async.find("{ \"lock_timeout\", \"2500\" },") != std::string::npos);
  CHECK(async.find("statement_timeout") == std::string::npos);
  CHECK(async.find("PQconnectStartParams") != std::string::npos);
}

TEST_CASE("C++ and Python programs read the section that matches the connection type") {
  auto cfg = load();
  auto pool = codegen::generate(cfg, request("cpp", "", "pool")).text;
  CHECK(pool.find("doc[\"sync_settings\"]") != std::string::npos);
  CHECK(pool.find("doc[\"pool_settings\"]") != std::string::npos);
  auto async_pool = codegen::generate(cfg, request("cpp", "", "async_pool")).text;
  CHECK(async_pool.find("doc[\"async_settings\"]") != std::string::npos);
  CHECK(async_pool.find("doc[\"async_pool_settings\"]") != std::string::npos);
  CHECK(async_pool.find("PQsendQueryParams") != std::string::npos);
  auto py = codegen::generate(cfg, request("python", "psycopg", "async_pool")).text;
  CHECK(py.find("doc.get(\"async_settings\")") != std::string::npos);
  CHECK(py.find("AsyncConnectionPool") != std::string::npos);
}

TEST_CASE("pgmonkey programs use pgmonkey's public API and pass resolve_env only when asked") {
  auto cfg = load();
  auto r = request("python", "pgmonkey", "normal");
  auto plain = codegen::generate(cfg, r).text;
  CHECK(plain.find("from pgmonkey import PGConnectionManager") != std::string::npos);
  CHECK(plain.find("get_database_connection(config_path, \"normal\")") != std::string::npos);
  r.resolve_env = true;
  auto resolved = codegen::generate(cfg, r).text;
  CHECK(resolved.find("get_database_connection(config_path, \"normal\", resolve_env=True)") != std::string::npos);
}

TEST_CASE("a config path with quotes and newlines stays a valid literal and a one-line comment") {
  auto cfg = load();
  auto r = request("cpp", "", "normal");
  r.config_path = "we\"ird\n*/path.yaml";
  auto text = codegen::generate(cfg, r).text;
  CHECK(text.find(R"(kDefaultConfig = "we\"ird\n*/path.yaml";)") != std::string::npos);
  CHECK(text.find("from we\"ird?* /path.yaml.") != std::string::npos);
  r.language = "python";
  r.library = "psycopg";
  CHECK(codegen::generate(cfg, r).text.find(R"(DEFAULT_CONFIG = 'we"ird\n*/path.yaml')") != std::string::npos);
}

TEST_CASE("build and run hints name the output file, quoted for the shell") {
  auto cfg = load();
  auto r = request("cpp", "", "normal");
  auto p = codegen::generate(cfg, r);
  CHECK(p.build_command ==
        "g++ -std=c++17 -O2 -pthread -o pgmonkey_normal pgmonkey_normal.cpp $(pkg-config --cflags --libs libpqxx "
        "libpq yaml-cpp)");
  CHECK(p.run_command == "./pgmonkey_normal [CONFIG]");
  r.output_path = "src/my app.cpp";
  p = codegen::generate(cfg, r);
  CHECK(p.suggested_file == "src/my app.cpp");
  CHECK(p.build_command.find("-o 'my app' 'src/my app.cpp' $(pkg-config") != std::string::npos);
  CHECK(p.run_command == "'./my app' [CONFIG]");
  CHECK(p.text.find("// Build: g++ -std=c++17 -O2 -pthread -o 'my app' 'src/my app.cpp'") != std::string::npos);
  r = request("c", "", "async");
  r.output_path = "probe.c";
  CHECK(codegen::generate(cfg, r).run_command == "PGPASSWORD=... ./probe   (or a ~/.pgpass entry)");
}

TEST_CASE("programs generated with --resolve-env resolve references at run time, others refuse them") {
  auto cfg = load();
  auto r = request("cpp", "", "normal");
  auto plain = codegen::generate(cfg, r).text;
  CHECK(plain.find("std::getenv") == std::string::npos);
  CHECK(plain.find("need a program generated with --resolve-env") != std::string::npos);
  r.resolve_env = true;
  auto resolving = codegen::generate(cfg, r).text;
  CHECK(resolving.find("std::getenv") != std::string::npos);
  CHECK(resolving.find("from_file") != std::string::npos);
  r.language = "python";
  r.library = "psycopg";
  auto py = codegen::generate(cfg, r).text;
  CHECK(py.find("import os\nimport re\n") != std::string::npos);
  CHECK(py.find("os.environ.get(name)") != std::string::npos);
}

TEST_CASE("pool programs undo what a borrower left behind and check each checkout") {
  auto cfg = load();
  auto pool = codegen::generate(cfg, request("cpp", "", "pool")).text;
  CHECK(pool.find("Lease(Lease&&) noexcept = default;") != std::string::npos);
  CHECK(pool.find("PQtransactionStatus(conn)") != std::string::npos);
  CHECK(pool.find("\"ROLLBACK; \"") != std::string::npos);
  CHECK(pool.find("std::string sql = \"RESET ALL\";") != std::string::npos);
  CHECK(pool.find("connect_with_retry(limited, budget") != std::string::npos);
  CHECK(pool.find("with_connect_limit(settings_, budget)") != std::string::npos);
  auto async_pool = codegen::generate(cfg, request("cpp", "", "async_pool")).text;
  CHECK(async_pool.find("Step{\"RESET ALL\", {}}") != std::string::npos);
  CHECK(async_pool.find("Phase::checking") != std::string::npos);
  for (const char* type : {"pool", "async_pool"}) {
    CAPTURE(type);
    auto py = codegen::generate(cfg, request("python", "psycopg", type)).text;
    CHECK(py.find("POOL_HAS_CHECK = tuple(int(part) for part in psycopg_pool.__version__") != std::string::npos);
    CHECK(py.find("extra[\"check\"] = lambda conn: check_connection(conn, pool_opts[\"timeout\"])") !=
          std::string::npos);
    CHECK(py.find("class CheckedPool(") != std::string::npos);
    CHECK(py.find("reset=apply_settings") != std::string::npos);
    CHECK(py.find("connecting says: {connection_error(kwargs)}") != std::string::npos);
    auto pm = codegen::generate(cfg, request("python", "pgmonkey", type)).text;
    CHECK(pm.find("check_versions(config_path)") != std::string::npos);
    CHECK(pm.find(std::string(type) == "pool" ? "get(\"pool_settings\")" : "get(\"async_pool_settings\")") !=
          std::string::npos);
  }
}

TEST_CASE("programs without a pool retry connecting while the server is not up yet") {
  auto cfg = load();
  for (const char* type : {"normal", "async"}) {
    CAPTURE(type);
    CHECK(codegen::generate(cfg, request("cpp", "", type)).text.find("connect_with_retry(settings, budget") !=
          std::string::npos);
    CHECK(codegen::generate(cfg, request("python", "psycopg", type)).text.find("waits = retry_waits(kwargs)") !=
          std::string::npos);
    CHECK(codegen::generate(cfg, request("c", "", type)).text.find("wait_to_retry(&retry") != std::string::npos);
  }
}

TEST_CASE("pool keys a C++ program does not honour are named at generation time") {
  auto cfg = load(R"(connection_settings:
  host: 'db'
pool_settings:
  max_idle: 60
  max_lifetime: 600
  max_waiting: 5
async_pool_settings:
  max_idle: 60
  max_lifetime: 600
)");
  auto pool = codegen::generate(cfg, request("cpp", "", "pool"));
  REQUIRE(pool.warnings.size() == 1);
  CHECK(pool.warnings[0] ==
        "pool_settings: max_waiting not honoured by the generated C++ pool program (use --language python for them)");
  auto async_pool = codegen::generate(cfg, request("cpp", "", "async_pool"));
  REQUIRE(async_pool.warnings.size() == 1);
  CHECK(async_pool.warnings[0].find("async_pool_settings: max_idle, max_lifetime not honoured") == 0);
  CHECK(codegen::generate(cfg, request("python", "psycopg", "pool")).warnings.empty());
  CHECK(codegen::generate(cfg, request("cpp", "", "normal")).warnings.empty());
}
