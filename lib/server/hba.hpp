// pg_hba.conf rules as the server reports them (pg_hba_file_rules), and a first-match simulation.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace pgmonkey::server {

// An IPv4 or IPv6 network: address bytes and prefix length.
struct Network {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};
  int prefix = 0;

  std::string to_string() const;  // "10.0.0.0/8"
  bool contains(const Network& inner) const;
};

// "10.1.2.0/24", "10.1.2.3" (a /32), "::1/128"; nullopt when not an address.
std::optional<Network> parse_cidr(const std::string& text);
// pg_hba_file_rules' address + netmask columns ("127.0.0.1", "255.255.255.255").
std::optional<Network> parse_address_netmask(const std::string& address, const std::string& netmask);

// One row of pg_hba_file_rules.
struct HbaRule {
  int line_number = 0;
  std::optional<int> rule_number;  // PostgreSQL 16+
  std::string file_name;           // PostgreSQL 16+
  std::string type;                // local, host, hostssl, hostnossl, hostgssenc, hostnogssenc
  std::vector<std::string> databases;
  std::vector<std::string> users;
  std::string address;  // empty for local
  std::string netmask;
  std::string auth_method;
  std::vector<std::string> options;
  std::string error;

  // "rule 3 (line 87)" on 16+, "line 87" before.
  std::string label() const;
  // The rule as a pg_hba.conf line: "host all all 0.0.0.0/0 trust".
  std::string to_line() const;
  bool is_host() const { return type != "local"; }
  bool is_reject() const { return auth_method == "reject"; }
  // Parsed and loaded, but the server logged why it can never match (hostssl while ssl = off,
  // hostgssenc without GSSAPI): pg_hba_file_rules then fills the columns and the error both.
  bool inert() const { return !error.empty() && !auth_method.empty() && (type == "hostssl" || type == "hostgssenc"); }
  // 127.0.0.0/8 or ::1: TCP from the server's own host.
  bool loopback() const;
  // The address covers every client: 0.0.0.0/0, ::/0 or all.
  bool open_to_everyone() const;
};

// Who connects, as far as the HBA match is concerned.
struct HbaClient {
  std::string user;
  std::string database;
  std::optional<Network> address;  // nullopt: Unix-domain socket
  bool ssl = false;
  std::vector<std::string> member_of;  // roles `user` is a member of (for +role, samerole)
  bool regex_entries = true;           // /regex entries are regexes (16+); before, literal names
};

// Whether a rule's column admits a client; `undecided` when a /regex could not be simulated.
enum class Admit { no, yes, undecided };

struct HbaMatch {
  std::optional<std::size_t> index;  // into the rules; nullopt: no rule matches
  // Rules passed over because the simulation cannot decide them (host names, samenet).
  std::vector<std::string> undecided;
};

// The server's first-match walk over the rules; rows with an error are skipped.
HbaMatch first_match(const std::vector<HbaRule>& rules, const HbaClient& client);

// Whether one rule's user column admits `user` (all, name, +role, /regex on 16+). `reason` says
// why when undecided.
Admit rule_admits_user(const HbaRule& rule, const std::string& user, const std::vector<std::string>& member_of,
                       bool regex_entries, std::string* reason = nullptr);

// PostgreSQL 16 made /entries regexes; a version number decides.
inline bool hba_regex_entries(int server_version_num) {
  return server_version_num >= 160000;
}

}  // namespace pgmonkey::server
