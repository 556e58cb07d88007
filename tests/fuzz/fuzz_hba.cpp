// Fuzzes address parsing and the first-match walk: each input line is one pg_hba_file_rules row,
// "type database user address netmask method"; the first line is the client.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "core/strings.hpp"
#include "server/hba.hpp"

namespace {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string at(const std::vector<std::string>& w, std::size_t i) {
  return i < w.size() ? w[i] : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey;
  if (size > 4096) return 0;  // rules are short lines; long inputs only slow the search down
  const auto lines = core::split(std::string(reinterpret_cast<const char*>(data), size), '\n');
  server::HbaClient client;
  const auto c = words(lines[0]);
  client.user = at(c, 0);
  client.database = at(c, 1);
  client.address = server::parse_cidr(at(c, 2));
  client.ssl = at(c, 3) == "ssl";
  for (std::size_t i = 4; i < c.size(); ++i) client.member_of.push_back(c[i]);
  if (client.address) (void)client.address->to_string();

  std::vector<server::HbaRule> rules;
  for (std::size_t n = 1; n < lines.size(); ++n) {
    const auto w = words(lines[n]);
    server::HbaRule r;
    r.line_number = static_cast<int>(n);
    r.type = at(w, 0);
    r.databases = core::split(at(w, 1), ',');
    r.users = core::split(at(w, 2), ',');
    r.address = at(w, 3);
    r.netmask = at(w, 4);
    r.auth_method = at(w, 5);
    if (auto net = server::parse_address_netmask(r.address, r.netmask)) {
      (void)net->to_string();
      if (client.address) (void)net->contains(*client.address);
    }
    (void)r.to_line();
    (void)r.open_to_everyone();
    rules.push_back(std::move(r));
  }
  (void)server::first_match(rules, client);
  return 0;
}
