// Hints from a config: the max_connections arithmetic, TLS/HBA lines and session advice.
#include <doctest/doctest.h>

#include <algorithm>

#include "config/loader.hpp"
#include "server/hints.hpp"

using namespace pgmonkey;
using namespace pgmonkey::server;

namespace {

config::Config load(const std::string& text) {
  auto r = config::load_config_text(text, "test.yaml");
  REQUIRE_FALSE(r.has_errors());
  return r.config;
}

const HintLine* conf(const Hints& h, const std::string& name) {
  auto it = std::find_if(h.conf.begin(), h.conf.end(), [&](const HintLine& l) { return l.name == name; });
  return it == h.conf.end() ? nullptr : &*it;
}

const char* kPools =
    "connection_type: pool\n"
    "connection_settings:\n  host: db\n  user: app\n  dbname: appdb\n  sslmode: verify-full\n"
    "  sslrootcert: /etc/ca.crt\n"
    "pool_settings:\n  min_size: 2\n  max_size: 15\n"
    "async_pool_settings:\n  min_size: 1\n  max_size: 5\n"
    "sync_settings:\n  statement_timeout: '30000'\n  no_such_thing: '1'\n";

}  // namespace

TEST_CASE("max_connections sums the pools, times instances, plus reserved and headroom") {
  auto h = make_hints(load(kPools), HintOptions{4, std::nullopt, std::nullopt});
  CHECK(h.budget.per_instance == 20);
  CHECK(h.budget.app_total == 80);
  CHECK(h.budget.reserved == 3);
  CHECK(h.budget.headroom == 16);  // 20% of 80
  CHECK(h.budget.max_connections == 99);
  REQUIRE(conf(h, "max_connections"));
  CHECK(conf(h, "max_connections")->value == "99");
  CHECK(h.budget.explanation.find("15 (pool_settings.max_size) + 5 (async_pool_settings.max_size) = 20") !=
        std::string::npos);
  CHECK(h.budget.explanation.find("x 4 instances") != std::string::npos);
}

TEST_CASE("a config without pools holds one session; headroom has a floor") {
  auto h = make_hints(load("connection_settings:\n  host: db\n  user: app\n  sslmode: disable\n"), {});
  CHECK(h.budget.per_instance == 1);
  CHECK(h.budget.headroom == 5);
  CHECK(h.budget.max_connections == 9);
  CHECK_FALSE(conf(h, "ssl"));  // sslmode=disable: no TLS settings
  REQUIRE(h.hba.size() == 1);
  // Commented out: PostgreSQL would read <client-cidr> as a host name and the rule would never match.
  CHECK(h.hba[0].value == "# host app app <client-cidr> scram-sha-256");  // dbname defaults to the user
}

TEST_CASE("TLS and hostssl follow sslmode; clientcert only with a client certificate") {
  auto h = make_hints(load(kPools), HintOptions{1, parse_cidr("10.0.4.0/24"), std::nullopt});
  REQUIRE(conf(h, "ssl"));
  CHECK(conf(h, "ssl_min_protocol_version")->value == "'TLSv1.2'");
  CHECK_FALSE(conf(h, "ssl_ca_file"));
  REQUIRE(h.hba.size() == 1);
  CHECK(h.hba[0].value == "hostssl appdb app 10.0.4.0/24 scram-sha-256");  // verify-full is not clientcert
  std::string with_cert = std::string(kPools);
  with_cert.replace(with_cert.find("  sslrootcert"), 0, "  sslcert: /c.crt\n  sslkey: /c.key\n");
  auto c = make_hints(load(with_cert), {});
  CHECK(c.hba[0].value == "# hostssl appdb app <client-cidr> scram-sha-256 clientcert=verify-full");
  CHECK(conf(c, "ssl_ca_file"));
  auto text = hints_to_text(c, "app.yaml");
  CHECK(text.find("<client-cidr>") != std::string::npos);
  CHECK(text.find("--client-cidr") != std::string::npos);
  CHECK(text.find("md5") != std::string::npos);  // only in the "never md5" comment
  CHECK(text.find("\nhost ") == std::string::npos);
  CHECK(text.find("\nhostssl ") == std::string::npos);  // no uncommented line carries the placeholder
  CHECK(text.find("remove the leading '# '") != std::string::npos);
}

TEST_CASE("a Unix-socket host gets a local rule") {
  auto h = make_hints(load("connection_settings:\n  host: /var/run/postgresql\n  user: app\n  dbname: appdb\n"),
                      HintOptions{1, parse_cidr("10.0.4.0/24"), std::nullopt});
  REQUIRE(h.hba.size() == 1);
  CHECK(h.hba[0].value == "local appdb app scram-sha-256");
}

TEST_CASE("session advice and sizing") {
  Machine m{8ull * 1024 * 1024, 4, Workload::oltp};
  auto h = make_hints(load(kPools), HintOptions{1, std::nullopt, m});
  REQUIRE(h.session.size() == 3);
  CHECK(h.session[0].name == "statement_timeout");
  CHECK(h.session[0].status == "ok");
  CHECK(h.session[1].status == "unknown");
  CHECK(h.session[2].name == "idle_in_transaction_session_timeout");
  CHECK(h.session[2].status == "advice");
  REQUIRE(h.sizing);
  CHECK(conf(h, "shared_buffers")->value == "2GB");
  CHECK(conf(h, "effective_cache_size")->value == "6GB");
  CHECK(conf(h, "work_mem")->value == "64MB");  // (8GB - 2GB) / ((28 + 4 workers) x 3)
  auto none = make_hints(load(kPools), {});
  CHECK_FALSE(none.sizing);
  CHECK_FALSE(conf(none, "shared_buffers"));
  auto j = hints_to_json(h, "app.yaml").dump();
  CHECK(j.find("\"max_connections\": 28") != std::string::npos);
  CHECK(hba_name("app") == "app");
  CHECK(hba_name("App User") == "\"App User\"");
  CHECK(hba_name("all") == "\"all\"");
}
