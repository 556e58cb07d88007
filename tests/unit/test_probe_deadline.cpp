// The connection test's connect deadline: from the config, PGCONNECT_TIMEOUT, or a default.
#include <doctest/doctest.h>

#include "probe/runners.hpp"

using namespace pgmonkey;

namespace {

db::ConnectParams params_with(const std::string& timeout) {
  db::ConnectParams p;
  p.keywords = {"host", "port"};
  p.values = {"127.0.0.1", "5432"};
  if (!timeout.empty()) {
    p.keywords.push_back("connect_timeout");
    p.values.push_back(timeout);
  }
  return p;
}

}  // namespace

TEST_CASE("the config's connect_timeout wins, then PGCONNECT_TIMEOUT, then the default") {
  CHECK(probe::connect_timeout_s(params_with("7"), "3") == 7);
  CHECK(probe::connect_timeout_s(params_with(""), "3") == 3);  // was ignored by the async probe
  CHECK(probe::connect_timeout_s(params_with(""), nullptr) == probe::kDefaultConnectTimeoutS);
  CHECK(probe::connect_timeout_s(params_with("0"), nullptr) == probe::kDefaultConnectTimeoutS);  // never "forever"
  CHECK(probe::connect_timeout_s(params_with(""), "junk") == probe::kDefaultConnectTimeoutS);
  CHECK(probe::connect_timeout_s(params_with("1"), nullptr) == 2);  // libpq's minimum
}

TEST_CASE("the blocking connect gets the same deadline as a libpq keyword") {
  auto p = probe::with_connect_deadline(params_with(""), "4");
  CHECK(p.get("connect_timeout") == "4");
  CHECK(p.get("host") == "127.0.0.1");
  CHECK(probe::with_connect_deadline(params_with("9"), "4").get("connect_timeout") == "9");
  CHECK(probe::with_connect_deadline(params_with("0"), nullptr).get("connect_timeout") == "30");
}
