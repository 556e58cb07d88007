// HBA parsing and the first-match walk on synthetic rules.
#include <doctest/doctest.h>

#include "server/hba.hpp"
#include "server/hba_regex.hpp"

using namespace pgmonkey::server;

namespace {

HbaRule rule(int line, std::string type, std::vector<std::string> db, std::vector<std::string> user,
             std::string address, std::string netmask, std::string method) {
  HbaRule r;
  r.line_number = line;
  r.type = std::move(type);
  r.databases = std::move(db);
  r.users = std::move(user);
  r.address = std::move(address);
  r.netmask = std::move(netmask);
  r.auth_method = std::move(method);
  return r;
}

HbaClient client(std::string addr, bool ssl = false) {
  HbaClient c;
  c.user = "app";
  c.database = "appdb";
  if (!addr.empty()) c.address = parse_cidr(addr);
  c.ssl = ssl;
  c.member_of = {"app", "writers"};
  return c;
}

}  // namespace

TEST_CASE("networks parse and contain") {
  auto n = parse_cidr("10.1.0.0/16");
  REQUIRE(n);
  CHECK(n->to_string() == "10.1.0.0/16");
  CHECK(n->contains(*parse_cidr("10.1.2.3")));
  CHECK(n->contains(*parse_cidr("10.1.2.0/24")));
  CHECK_FALSE(n->contains(*parse_cidr("10.2.0.1")));
  CHECK_FALSE(n->contains(*parse_cidr("10.0.0.0/8")));  // wider than the rule
  CHECK_FALSE(n->contains(*parse_cidr("::1")));
  CHECK(parse_cidr("::1")->prefix == 128);
  CHECK_FALSE(parse_cidr("10.0.0.0/33").has_value());
  CHECK_FALSE(parse_cidr("db.example.com").has_value());
  auto m = parse_address_netmask("192.168.0.0", "255.255.255.0");
  REQUIRE(m);
  CHECK(m->prefix == 24);
  CHECK(parse_address_netmask("0.0.0.0", "0.0.0.0")->prefix == 0);
  CHECK_FALSE(parse_address_netmask("10.0.0.0", "255.0.255.0").has_value());
}

TEST_CASE("first match wins, in file order") {
  std::vector<HbaRule> rules{
      rule(1, "local", {"all"}, {"all"}, "", "", "peer"),
      rule(2, "host", {"appdb"}, {"app"}, "10.0.0.0", "255.0.0.0", "reject"),
      rule(3, "host", {"all"}, {"all"}, "10.1.0.0", "255.255.0.0", "scram-sha-256"),
  };
  auto m = first_match(rules, client("10.1.2.3"));
  REQUIRE(m.index);
  CHECK(*m.index == 1);                               // the reject above the broader rule wins
  CHECK(*first_match(rules, client("")).index == 0);  // a Unix socket only matches local
  CHECK_FALSE(first_match(rules, client("192.168.1.1")).index);
}

TEST_CASE("connection types, databases and users") {
  std::vector<HbaRule> rules{
      rule(1, "hostssl", {"sameuser"}, {"all"}, "all", "", "scram-sha-256"),
      rule(2, "hostnossl", {"appdb"}, {"+writers"}, "10.0.0.0", "255.0.0.0", "scram-sha-256"),
      rule(3, "host", {"replication"}, {"app"}, "all", "", "scram-sha-256"),
      rule(4, "host", {"/^app"}, {"/^ap+$"}, "10.0.0.0", "255.0.0.0", "md5"),
  };
  auto ssl = first_match(rules, client("10.0.0.5", true));
  REQUIRE(ssl.index);
  CHECK(*ssl.index == 3);  // sameuser needs database == user; hostnossl skips TLS; replication never
  auto plain = first_match(rules, client("10.0.0.5", false));
  REQUIRE(plain.index);
  CHECK(*plain.index == 1);  // +writers through membership
  auto c = client("10.0.0.5", true);
  c.database = "app";
  CHECK(*first_match(rules, c).index == 0);
}

TEST_CASE("host names and samenet are left undecided, error rows skipped") {
  std::vector<HbaRule> rules{
      rule(1, "host", {"all"}, {"all"}, "samenet", "", "trust"),
      rule(2, "host", {"all"}, {"all"}, "10.0.0.0", "255.0.0.0", "trust"),
      rule(3, "host", {"all"}, {"all"}, "0.0.0.0", "0.0.0.0", "scram-sha-256"),
  };
  rules[1].error = "invalid authentication method";
  auto m = first_match(rules, client("10.0.0.5"));
  REQUIRE(m.index);
  CHECK(*m.index == 2);
  REQUIRE(m.undecided.size() == 1);
  CHECK(m.undecided[0].find("samenet") != std::string::npos);
  CHECK(rules[2].open_to_everyone());
  CHECK_FALSE(rules[0].open_to_everyone());
  CHECK(rules[2].to_line() == "host all all 0.0.0.0/0 scram-sha-256");
  HbaRule v16 = rules[2];
  v16.rule_number = 7;
  CHECK(v16.label() == "rule 7 (line 3)");
  CHECK(rules[2].label() == "line 3");
}

TEST_CASE("/entries are literal names before PostgreSQL 16") {
  std::vector<HbaRule> rules{rule(1, "host", {"all"}, {"/^ap+$"}, "10.0.0.0", "255.0.0.0", "scram-sha-256")};
  auto c = client("10.0.0.5");
  c.regex_entries = hba_regex_entries(150004);
  CHECK_FALSE(first_match(rules, c).index);  // no role is literally named "/^ap+$"
  c.user = "/^ap+$";
  CHECK(first_match(rules, c).index);
  c = client("10.0.0.5");
  c.regex_entries = hba_regex_entries(160000);
  CHECK(first_match(rules, c).index);
}

TEST_CASE("the HBA regex matcher: PostgreSQL's search semantics for the common subset") {
  auto is = [](const std::string& p, const std::string& s) {
    return hba_regex_search(p, s).verdict == RegexVerdict::match;
  };
  CHECK(is("^app$", "app"));
  CHECK_FALSE(is("^app$", "apps"));
  CHECK(is("pp", "app"));  // unanchored, like regexec
  CHECK(is("^(app|web)_[0-9]{2,3}$", "web_123"));
  CHECK_FALSE(is("^(app|web)_[0-9]{2,3}$", "web_1234"));
  CHECK(is("^[^.]+\\.example$", "db.example"));
  CHECK(is("^a.*?z$", "abcz"));
  CHECK(is("^\\w+\\d$", "user_1"));
  CHECK_FALSE(is("^\\W", "abc"));
  CHECK(is("^x?$", ""));
  CHECK(hba_regex_search("(a", "a").verdict == RegexVerdict::undecided);
  CHECK(hba_regex_search("\\1", "a").verdict == RegexVerdict::undecided);
  CHECK(hba_regex_search("[[:alpha:]]", "a").verdict == RegexVerdict::undecided);
}

TEST_CASE("the HBA regex matcher runs in bounded time on pathological patterns") {
  // Backtracking engines take exponential time on these; the NFA simulation is linear.
  const std::string subject(5000, 'a');
  CHECK(hba_regex_search("^(a*)*$", subject + "b").verdict == RegexVerdict::no_match);
  CHECK(hba_regex_search("^(a|aa)+$", subject).verdict == RegexVerdict::match);
  CHECK(hba_regex_search("(.*)*x", subject).verdict == RegexVerdict::no_match);
  // PostgreSQL rejects stacked quantifiers such as /.**; we say so instead of guessing.
  auto r = hba_regex_search(".**", subject);
  CHECK(r.verdict == RegexVerdict::undecided);
  CHECK(r.reason.find("stacked quantifiers") != std::string::npos);
  // The step budget is a hard stop.
  auto capped = hba_regex_search("(a|b|c|d)*e", subject, 1000);
  CHECK(capped.verdict == RegexVerdict::undecided);
  CHECK(capped.reason.find("gave up") != std::string::npos);
}
