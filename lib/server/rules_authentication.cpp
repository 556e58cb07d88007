// Authentication rules: password storage, listening, and pg_hba.conf with its first-match walk.
#include <algorithm>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "server/hints.hpp"
#include "server/rule_helpers.hpp"

namespace pgmonkey::server::checks {
namespace {

Outcomes check_password_encryption(const AuditInput& in) {
  const auto* v = in.snapshot.setting("password_encryption");
  if (!v) return missing(in, "password_encryption", "scram-sha-256");
  if (v->setting == "scram-sha-256") return one(Status::ok, v->setting, "scram-sha-256", "");
  return one(Status::fail, v->setting, "scram-sha-256", "new passwords are stored as MD5 hashes, which are replayable",
             alter_system(in, "password_encryption", lit("scram-sha-256")));
}

std::optional<Outcomes> authid_unreadable(const AuditInput& in) {
  if (in.snapshot.authid_access == Access::ok) return std::nullopt;
  return one(Status::skip, "(not readable)", "",
             "password hashes are in pg_authid, readable by superusers only: audit as a superuser (GRANT SELECT ON "
             "pg_catalog.pg_authid TO " +
                 ident(in.snapshot.user) + " would work but exposes every hash)");
}

// Switching password_encryption does not rehash stored passwords: each role needs a new one.
Outcomes check_md5_hashes(const AuditInput& in) {
  if (auto skip = authid_unreadable(in)) return *skip;
  const auto& roles = in.snapshot.md5_roles;
  if (roles.empty()) return one(Status::ok, "none", "SCRAM verifiers", "no password is stored as MD5");
  std::vector<std::string> fixes;
  for (const auto& r : roles) fixes.push_back("\\password " + ident(r));
  return one(Status::warn, fmt::format("{} role(s): {}", roles.size(), core::join(roles, ", ")), "SCRAM verifiers",
             "MD5 hashes are replayable and stay MD5 after password_encryption changes, until each password is set "
             "again",
             "with password_encryption = 'scram-sha-256', in psql: " + core::join(fixes, "; ") +
                 " (or ALTER ROLE ... PASSWORD '...')");
}

// Only what the server can tell without cracking: an MD5 hash of name+name is the name as password.
Outcomes check_password_is_name(const AuditInput& in) {
  if (auto skip = authid_unreadable(in)) return *skip;
  const auto& s = in.snapshot;
  const auto scram = s.scram_roles > 0 ? fmt::format("; {} SCRAM verifier(s) cannot be checked this way", s.scram_roles)
                                       : std::string();
  if (!s.password_check_error.empty())
    return one(Status::skip, "", "", "the server refused md5() (FIPS mode?): " + s.password_check_error);
  if (s.password_is_name.empty())
    return one(Status::ok, fmt::format("{} MD5 hash(es) checked", s.md5_roles.size()), "",
               "no MD5-hashed password equals its role name" + scram);
  std::vector<std::string> supers, fixes;
  for (const auto& r : s.password_is_name) {
    if (std::find(s.superusers.begin(), s.superusers.end(), r) != s.superusers.end()) supers.push_back(r);
    fixes.push_back("\\password " + ident(r));
  }
  return one(Status::fail, core::join(s.password_is_name, ", "), "a password that is not the name",
             "the password equals the role name" +
                 (supers.empty() ? std::string() : " (superuser: " + core::join(supers, ", ") + ")") + scram,
             "in psql: " + core::join(fixes, "; "));
}

Outcomes check_authentication_timeout(const AuditInput& in) {
  const auto* v = in.snapshot.setting("authentication_timeout");
  if (!v) return missing(in, "authentication_timeout", "60s or less");
  const auto secs = core::parse_int(v->setting).value_or(60);
  auto current = v->setting + " s";
  if (secs > 60)
    return one(Status::warn, current, "60 s or less",
               "a client that stalls in authentication holds a connection slot this long",
               alter_system(in, "authentication_timeout", lit("30s")));
  return one(Status::ok, current, "60 s or less", "");
}

// pg_settings shows it as octal text ("0777"); older servers may give the decimal value.
Outcomes check_socket_permissions(const AuditInput& in) {
  const auto* v = in.snapshot.setting("unix_socket_permissions");
  if (!v) return missing(in, "unix_socket_permissions", "0770");
  long long mode = 0;
  try {
    mode = std::stoll(v->setting, nullptr, !v->setting.empty() && v->setting[0] == '0' ? 8 : 10);
  } catch (const std::exception&) {
    return one(Status::skip, v->setting, "0770", "not a file mode");
  }
  if (mode & 02)
    return one(Status::warn, v->setting, "0770",
               "every local OS user may connect to the socket; only the local lines of pg_hba.conf stand between",
               alter_system(in, "unix_socket_permissions", lit("0770")) +
                   " (and unix_socket_group for the OS users that need it)");
  return one(Status::ok, v->setting, "0770", "");
}

Outcomes check_methods(const AuditInput& in) {
  return per_hba_rule(in, "no trust, password, md5 or ident rules", [](const HbaRule& r) -> std::optional<Outcome> {
    const auto& m = r.auth_method;
    auto fixed = r;
    fixed.auth_method = "scram-sha-256";
    fixed.options.clear();
    const auto fix = "pg_hba.conf: " + fixed.to_line();
    if (m == "trust")
      return make(Status::fail, "", "scram-sha-256", "trust lets anyone in as any user, no password", fix);
    if (m == "password") return make(Status::fail, "", "scram-sha-256", "password sends it in clear text", fix);
    if (m == "md5") return make(Status::warn, "", "scram-sha-256", "md5 is deprecated and weaker than SCRAM", fix);
    if (m == "ident") return make(Status::warn, "", "scram-sha-256", "ident trusts the client host's identd", fix);
    return std::nullopt;
  });
}

// Every address (/0), or a network wider than /16 (IPv4) or /48 (IPv6); loopback is local.
Outcomes check_open_addresses(const AuditInput& in) {
  const auto cidr = in.client_cidr ? in.client_cidr->to_string() : std::string("<client-cidr>");
  return per_hba_rule(in, "no rule is open to every address or a network wider than /16 (IPv4) or /48 (IPv6)",
                      [&](const HbaRule& r) -> std::optional<Outcome> {
                        if (r.is_reject() || !r.is_host() || r.loopback()) return std::nullopt;
                        auto fixed = r;
                        fixed.address = cidr;
                        fixed.netmask.clear();
                        const auto fix = "pg_hba.conf: " + fixed.to_line();
                        if (r.open_to_everyone())
                          return make(Status::warn, "", "the clients' network",
                                      "open to every address (" + r.address + ")", fix);
                        auto net = parse_address_netmask(r.address, r.netmask);
                        if (!net || net->prefix >= (net->v6 ? 48 : 16)) return std::nullopt;
                        return make(Status::warn, "", "the clients' network",
                                    fmt::format("{} is wider than /{}", net->to_string(), net->v6 ? 48 : 16), fix);
                      });
}

// `all` in the database or the user column of a host rule admits more than the application needs.
Outcomes check_all(const AuditInput& in) {
  auto has = [](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), "all") != v.end(); };
  const auto user = config_user(in.config).empty() ? in.snapshot.user : config_user(in.config);
  const auto db = config_database(in.config).empty() ? in.snapshot.database : config_database(in.config);
  return per_hba_rule(in, "host rules name their databases and users", [&](const HbaRule& r) -> std::optional<Outcome> {
    // Loopback lines are local access, like `local all all` (initdb writes both).
    if (!r.is_host() || r.is_reject() || r.loopback()) return std::nullopt;
    const bool all_db = has(r.databases), all_users = has(r.users);
    if (!all_db && !all_users) return std::nullopt;
    const bool replication = r.databases == std::vector<std::string>{"replication"};
    auto fixed = r;
    if (all_db) fixed.databases = {db};
    if (all_users) fixed.users = {replication ? std::string("<replication role>") : user};
    return make(Status::warn, "", "named database and user",
                all_db && all_users ? "all databases for all users"
                : all_db            ? "all databases (for the named users)"
                                    : "all users (of the named databases)",
                "pg_hba.conf: " + fixed.to_line());
  });
}

Outcomes check_superuser_remote(const AuditInput& in) {
  const auto& s = in.snapshot;
  const bool regex = hba_regex_entries(s.server_version_num);
  return per_hba_rule(in, "superusers can only connect locally", [&](const HbaRule& r) -> std::optional<Outcome> {
    // TCP from the server's own host is local as far as the network is concerned.
    if (!r.is_host() || r.is_reject() || r.loopback()) return std::nullopt;
    std::vector<std::string> admitted, undecided;
    for (const auto& su : s.superusers) {
      auto it = s.role_groups.find(su);
      const auto groups = it == s.role_groups.end() ? std::vector<std::string>{} : it->second;
      std::string why;
      switch (rule_admits_user(r, su, groups, regex, &why)) {
        case Admit::yes:
          admitted.push_back(su);
          break;
        case Admit::undecided:
          undecided.push_back(why);
          break;
        case Admit::no:
          break;
      }
    }
    if (admitted.empty() && !undecided.empty())
      return make(Status::skip, "", "", "could not decide which superusers it admits: " + core::join(undecided, "; "));
    if (admitted.empty()) return std::nullopt;
    auto local = r;
    local.auth_method = "reject";
    local.options.clear();
    local.users = admitted;
    return make(Status::warn, "", "local only, or reject",
                "superuser " + core::join(admitted, ", ") + " may connect over the network",
                "pg_hba.conf, above it: " + local.to_line());
  });
}

Outcomes check_hba_errors(const AuditInput& in) {
  if (auto skip = hba_unreadable(in)) return *skip;
  Outcomes out;
  const auto& rules = in.snapshot.hba_rules;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (r.error.empty()) continue;
    // A loaded rule that cannot match only gets a LOG line from the server; the reload works.
    auto o = r.inert() ? make(Status::warn, r.label(), "",
                              r.type == "hostssl" ? "inert until ssl = on: " + r.error : "inert: " + r.error,
                              r.type == "hostssl" ? alter_system(in, "ssl", "on") : std::string())
                       : make(Status::fail, r.label(), "", "the next reload will fail: " + r.error,
                              "fix or remove " + r.label() + " of pg_hba.conf");
    o.hba_rule = i;
    out.push_back(std::move(o));
  }
  if (out.empty()) out.push_back(make(Status::ok, "", "", "pg_hba.conf parses cleanly"));
  return out;
}

Outcomes check_listen_addresses(const AuditInput& in) {
  const auto* v = in.snapshot.setting("listen_addresses");
  if (!v) return missing(in, "listen_addresses", "the interfaces clients use");
  for (const auto& a : core::split(v->setting, ','))
    if (auto t = core::trim(a); t == "*" || t == "0.0.0.0" || t == "::")
      return one(Status::warn, v->setting, "the interfaces clients use", "listens on every interface",
                 alter_system(in, "listen_addresses", lit("<the clients' interface>")));
  return one(Status::ok, v->setting, "", "");
}

Outcomes check_first_match(const AuditInput& in) {
  if (auto skip = hba_unreadable(in)) return *skip;
  const auto client = audit_client(in);
  const auto& rules = in.snapshot.hba_rules;
  auto m = first_match(rules, client);
  std::string who = fmt::format("user {} database {} from {}{}", client.user, client.database,
                                client.address ? client.address->to_string() : "local socket",
                                client.address ? (client.ssl ? " with TLS" : " without TLS") : "");
  std::string undecided = m.undecided.empty() ? "" : " (undecided: " + core::join(m.undecided, ", ") + ")";
  // The rule the hints would print for this config, to go above the one that matched.
  std::string fix;
  if (client.address) {
    HbaRule want;
    want.type = sslmode_rank(in.config) >= kSslRequire ? "hostssl" : "host";
    want.databases = {hba_name(client.database)};
    want.users = {hba_name(client.user)};
    want.address = client.address->to_string();
    want.auth_method = "scram-sha-256";
    fix = "pg_hba.conf" + (m.index ? ", above " + rules[*m.index].label() : std::string()) + ": " + want.to_line();
  }
  if (!m.index)
    return one(m.undecided.empty() ? Status::fail : Status::skip, "no match", "a scram-sha-256 rule",
               "no rule admits " + who + undecided, fix);
  const auto& r = rules[*m.index];
  Outcome o = make(Status::ok, r.label() + ": " + r.to_line(), "", who + " matches" + undecided);
  o.hba_rule = *m.index;
  if (r.is_reject()) {
    o.status = Status::fail;
    o.message = who + " hits a reject rule" + undecided;
  } else if (r.auth_method == "trust") {
    o.status = Status::fail;
    o.recommended = "a scram-sha-256 rule";
    o.message = who + " matches a trust rule: no password is asked" + undecided;
  } else if (r.auth_method == "password") {
    o.status = Status::warn;
    o.recommended = "a scram-sha-256 rule";
    o.message = who + " matches a password rule: the password travels in clear text" + undecided;
  } else if (sslmode_rank(in.config) >= kSslRequire && r.type != "hostssl") {
    o.status = Status::warn;
    o.recommended = "a hostssl rule";
    o.message = who + " matches a rule that does not demand TLS" + undecided;
  }
  if (o.status != Status::ok) o.fix = fix;
  // A rule above it that the audit could not decide may be the real first match.
  if (!m.undecided.empty() && o.status == Status::ok) {
    o.status = Status::skip;
    o.message = "the first match depends on rules the audit cannot decide" + undecided + "; without them " + who +
                " matches " + r.label();
  }
  return {o};
}

}  // namespace

std::vector<Rule> authentication_rules() {
  return {
      {"auth.password_encryption", "Authentication", check_password_encryption, "password_encryption"},
      {"auth.md5_hashes", "Authentication", check_md5_hashes, ""},
      {"auth.password_is_name", "Authentication", check_password_is_name, ""},
      {"auth.listen_addresses", "Authentication", check_listen_addresses, "listen_addresses"},
      {"auth.authentication_timeout", "Authentication", check_authentication_timeout, "authentication_timeout"},
      {"auth.unix_socket_permissions", "Authentication", check_socket_permissions, "unix_socket_permissions"},
      {"hba.method", "Authentication", check_methods, ""},
      {"hba.open_address", "Authentication", check_open_addresses, ""},
      {"hba.all", "Authentication", check_all, ""},
      {"hba.superuser_remote", "Authentication", check_superuser_remote, ""},
      {"hba.errors", "Authentication", check_hba_errors, ""},
      {"hba.first_match", "Authentication", check_first_match, ""},
  };
}

}  // namespace pgmonkey::server::checks
