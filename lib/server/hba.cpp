// HBA rule matching the way the server walks pg_hba.conf: first match wins, no fall-through.
#include "server/hba.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "core/strings.hpp"
#include "server/hba_regex.hpp"

namespace pgmonkey::server {
namespace {

bool parse_ip(const std::string& text, Network& n) {
  if (inet_pton(AF_INET, text.c_str(), n.bytes.data()) == 1) {
    n.v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), n.bytes.data()) == 1) {
    n.v6 = true;
    return true;
  }
  return false;
}

int width(const Network& n) {
  return n.v6 ? 128 : 32;
}

bool in(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// A /regex entry (16+) against a name: yes, no, or undecided with the matcher's reason.
Admit regex_admits(const std::string& entry, const std::string& value, std::string* reason) {
  auto r = hba_regex_search(entry.substr(1), value);
  if (r.verdict == RegexVerdict::match) return Admit::yes;
  if (r.verdict == RegexVerdict::no_match) return Admit::no;
  if (reason) *reason = entry + ": " + r.reason;
  return Admit::undecided;
}

// A column's entries are alternatives: any yes admits; otherwise one undecided entry leaves it open.
template <typename Judge>
Admit admits_any(const std::vector<std::string>& entries, Judge judge) {
  bool undecided = false;
  for (const auto& e : entries) {
    auto a = judge(e);
    if (a == Admit::yes) return Admit::yes;
    if (a == Admit::undecided) undecided = true;
  }
  return undecided ? Admit::undecided : Admit::no;
}

Admit admits_database(const HbaRule& r, const HbaClient& c, std::string* reason) {
  return admits_any(r.databases, [&](const std::string& d) {
    if (d == "all") return Admit::yes;
    if (d == "replication") return Admit::no;  // only physical replication connections
    if (d == "sameuser") return c.database == c.user ? Admit::yes : Admit::no;
    if (d == "samerole" || d == "samegroup") return in(c.member_of, c.database) ? Admit::yes : Admit::no;
    if (c.regex_entries && core::starts_with(d, "/")) return regex_admits(d, c.database, reason);
    return d == c.database ? Admit::yes : Admit::no;
  });
}

bool admits_connection_type(const HbaRule& r, const HbaClient& c) {
  const bool tcp = c.address.has_value();
  if (r.type == "local") return !tcp;
  if (!tcp) return false;
  if (r.type == "hostssl") return c.ssl;
  if (r.type == "hostnossl") return !c.ssl;
  if (r.type == "hostgssenc") return false;  // pgmonkey configs do not ask for GSSAPI encryption
  return true;                               // host, hostnogssenc
}

}  // namespace

std::string Network::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

bool Network::contains(const Network& inner) const {
  if (v6 != inner.v6 || inner.prefix < prefix) return false;
  for (int bit = 0; bit < prefix; ++bit) {
    const int byte = bit / 8, mask = 0x80 >> (bit % 8);
    if ((bytes[byte] & mask) != (inner.bytes[byte] & mask)) return false;
  }
  return true;
}

std::optional<Network> parse_cidr(const std::string& text) {
  Network n;
  auto slash = text.find('/');
  if (!parse_ip(core::trim(text.substr(0, slash)), n)) return std::nullopt;
  n.prefix = width(n);
  if (slash != std::string::npos) {
    auto p = core::parse_int(text.substr(slash + 1));
    if (!p || *p < 0 || *p > width(n)) return std::nullopt;
    n.prefix = static_cast<int>(*p);
  }
  return n;
}

std::optional<Network> parse_address_netmask(const std::string& address, const std::string& netmask) {
  Network n;
  if (!parse_ip(address, n)) return std::nullopt;
  Network mask;
  if (!parse_ip(netmask, mask) || mask.v6 != n.v6) return std::nullopt;
  // A netmask is leading ones then zeros; count the ones.
  int prefix = 0;
  bool zero_seen = false;
  for (int bit = 0; bit < width(n); ++bit) {
    const bool one = mask.bytes[bit / 8] & (0x80 >> (bit % 8));
    if (one && zero_seen) return std::nullopt;
    if (one)
      ++prefix;
    else
      zero_seen = true;
  }
  n.prefix = prefix;
  return n;
}

std::string HbaRule::label() const {
  if (rule_number) return "rule " + std::to_string(*rule_number) + " (line " + std::to_string(line_number) + ")";
  return "line " + std::to_string(line_number);
}

std::string HbaRule::to_line() const {
  std::string out = type + " " + core::join(databases, ",") + " " + core::join(users, ",");
  if (is_host()) {
    auto net = parse_address_netmask(address, netmask);
    out += " " + (net ? net->to_string() : address);
  }
  out += " " + auth_method;
  for (const auto& o : options) out += " " + o;
  return out;
}

bool HbaRule::open_to_everyone() const {
  if (!is_host()) return false;
  if (address == "all") return true;
  auto net = parse_address_netmask(address, netmask);
  return net && net->prefix == 0;
}

bool HbaRule::loopback() const {
  auto net = parse_address_netmask(address, netmask);
  static const auto v4 = parse_cidr("127.0.0.0/8");
  static const auto v6 = parse_cidr("::1/128");
  return net && ((!net->v6 && v4->contains(*net)) || (net->v6 && v6->contains(*net)));
}

Admit rule_admits_user(const HbaRule& rule, const std::string& user, const std::vector<std::string>& member_of,
                       bool regex_entries, std::string* reason) {
  return admits_any(rule.users, [&](const std::string& u) {
    if (u == "all" || u == user) return Admit::yes;
    if (core::starts_with(u, "+")) return u.substr(1) == user || in(member_of, u.substr(1)) ? Admit::yes : Admit::no;
    if (regex_entries && core::starts_with(u, "/")) return regex_admits(u, user, reason);
    return Admit::no;
  });
}

HbaMatch first_match(const std::vector<HbaRule>& rules, const HbaClient& client) {
  HbaMatch m;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (!r.error.empty()) continue;
    if (!admits_connection_type(r, client)) continue;
    std::string why;
    const auto db = admits_database(r, client, &why);
    const auto user =
        db == Admit::no ? Admit::no : rule_admits_user(r, client.user, client.member_of, client.regex_entries, &why);
    if (db == Admit::no || user == Admit::no) continue;
    if (db == Admit::undecided || user == Admit::undecided) {
      m.undecided.push_back(r.label() + " (" + why + ")");
      continue;
    }
    if (r.is_host() && r.address != "all") {
      auto net = parse_address_netmask(r.address, r.netmask);
      if (!net) {
        // samehost, samenet or a host name: needs the server's interfaces or DNS.
        m.undecided.push_back(r.label() + " (" + r.address + ")");
        continue;
      }
      if (!net->contains(*client.address)) continue;
    }
    m.index = i;
    return m;
  }
  return m;
}

}  // namespace pgmonkey::server
