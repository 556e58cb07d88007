// The audit rules, one small check each; the table at the bottom is the whole rule set.
#include "server/rules.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "db/quote.hpp"
#include "server/hints.hpp"

namespace pgmonkey::server {
namespace {

using Outcomes = std::vector<Outcome>;

Outcome make(Status s, std::string current, std::string recommended, std::string message, std::string fix = {}) {
  Outcome o;
  o.status = s;
  o.current = std::move(current);
  o.recommended = std::move(recommended);
  o.message = std::move(message);
  o.fix = std::move(fix);
  return o;
}

Outcomes one(Status s, std::string current, std::string recommended, std::string message, std::string fix = {}) {
  return {make(s, std::move(current), std::move(recommended), std::move(message), std::move(fix))};
}

std::string lit(const std::string& v) {
  return db::quote_literal(v);
}

std::string ident(const std::string& v) {
  return db::quote_ident(v);
}

// The statement that fixes a setting, and what makes it take effect.
std::string alter_system(const AuditInput& in, const std::string& name, const std::string& value) {
  const auto* row = in.snapshot.setting(name);
  const bool restart = row && row->context == "postmaster";
  return "ALTER SYSTEM SET " + name + " = " + value + ";" +
         (restart ? " -- then restart the server" : " SELECT pg_catalog.pg_reload_conf();");
}

std::string read_settings_grant(const AuditInput& in) {
  return "GRANT pg_read_all_settings TO " + ident(in.snapshot.user);
}

// Settings newer than PostgreSQL 12 that the rules read, with the release that added them.
int introduced_in(const std::string& name) {
  if (name == "idle_session_timeout") return 140000;
  if (name == "reserved_connections") return 160000;
  return 0;
}

// A setting this role cannot see is SKIP, not FAIL: the check was not possible.
Outcomes missing(const AuditInput& in, const std::string& name, const std::string& recommended) {
  if (in.snapshot.server_version_num < introduced_in(name))
    return one(Status::skip, "(absent)", recommended,
               fmt::format("{} arrived in PostgreSQL {}", name, introduced_in(name) / 10000));
  if (!in.snapshot.superuser)
    return one(Status::skip, "(hidden)", recommended,
               name + " is hidden from role " + in.snapshot.user + ": " + read_settings_grant(in) +
                   " (or audit as a superuser)");
  return one(Status::skip, "(absent)", recommended,
             name + " does not exist on PostgreSQL " + in.snapshot.server_version);
}

long long int_setting(const Snapshot& s, const std::string& name, long long fallback = 0) {
  const auto* row = s.setting(name);
  if (!row) return fallback;
  return core::parse_int(row->setting).value_or(fallback);
}

std::optional<std::uint64_t> kb_setting(const Snapshot& s, const std::string& name) {
  const auto* row = s.setting(name);
  if (!row) return std::nullopt;
  return setting_to_kb(row->setting, row->unit);
}

const config::Setting* config_setting(const config::Config& c, const std::string& name) {
  for (const auto* list : {&c.sync_settings, &c.async_settings})
    for (const auto& s : *list)
      if (s.key == name) return &s;
  return nullptr;
}

// HBA checks need pg_hba_file_rules; without it they all SKIP with the grant that fixes it.
std::optional<Outcomes> hba_unreadable(const AuditInput& in) {
  if (in.snapshot.hba_access == Access::ok) return std::nullopt;
  return one(Status::skip, "(not readable)", "", "pg_hba_file_rules is not readable; " + in.snapshot.hba_hint);
}

// One finding per HBA rule `judge` flags, or one OK when none is.
Outcomes per_hba_rule(const AuditInput& in, const std::string& ok_message,
                      const std::function<std::optional<Outcome>(const HbaRule&)>& judge) {
  if (auto skip = hba_unreadable(in)) return *skip;
  Outcomes out;
  const auto& rules = in.snapshot.hba_rules;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].error.empty() && !rules[i].inert()) continue;
    if (auto o = judge(rules[i])) {
      o->hba_rule = i;
      if (o->current.empty()) o->current = rules[i].label() + ": " + rules[i].to_line();
      out.push_back(std::move(*o));
    }
  }
  if (out.empty()) out.push_back(make(Status::ok, fmt::format("{} rules", rules.size()), "", ok_message));
  return out;
}

// ---- Capacity ----

Outcomes check_max_connections(const AuditInput& in) {
  const auto& s = in.snapshot;
  const long long max = int_setting(s, "max_connections");
  const long long su = int_setting(s, "superuser_reserved_connections");
  const long long rc = int_setting(s, "reserved_connections");  // 16+; 0 before
  const long long usable = max - su - rc;
  const auto& b = in.budget;
  auto current = fmt::format("{} ({} usable, {} reserved)", max, usable, su + rc);
  auto recommended = fmt::format(">= {}", b.max_connections);
  const auto fix = alter_system(in, "max_connections", std::to_string(b.max_connections));
  if (b.app_total > usable)
    return one(Status::fail, current, recommended,
               fmt::format("the pools can open {} sessions ({} per instance x {}) but only {} slots are usable",
                           b.app_total, b.per_instance, b.app_instances, usable),
               fix);
  if (b.max_connections > max)
    return one(Status::warn, current, recommended,
               fmt::format("the pools fit, but without the headroom of {} for admin sessions and deploys", b.headroom),
               fix);
  return one(Status::ok, current, recommended,
             fmt::format("room for the pools' {} sessions plus {} headroom", b.app_total, b.headroom));
}

Outcomes check_superuser_reserved(const AuditInput& in) {
  if (!in.snapshot.setting("superuser_reserved_connections")) return missing(in, "superuser_reserved_connections", "3");
  const long long su = int_setting(in.snapshot, "superuser_reserved_connections");
  const long long max = int_setting(in.snapshot, "max_connections");
  const auto fix = alter_system(in, "superuser_reserved_connections", "3");
  if (su == 0)
    return one(Status::warn, "0", ">= 3", "with full pools nobody, not even a DBA, can connect to fix things", fix);
  if (max > 0 && su * 5 > max)
    return one(
        Status::warn, fmt::format("{} of max_connections {}", su, max), "3, at most 20% of max_connections",
        fmt::format("{}% of the slots are kept for superusers and idle while the application queues", su * 100 / max),
        fix);
  return one(Status::ok, std::to_string(su), ">= 3", "a DBA can still connect when the pools are full");
}

Outcomes check_usage(const AuditInput& in) {
  const long long max = std::max<long long>(1, int_setting(in.snapshot, "max_connections", 1));
  const long long used = in.snapshot.client_backends;
  const double pct = 100.0 * static_cast<double>(used) / static_cast<double>(max);
  auto current = fmt::format("{} of {} ({:.0f}%)", used, max, pct);
  const auto fix =
      "find idle sessions: SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3; "
      "then lower the pools or raise max_connections (capacity.max_connections)";
  if (pct >= 90) return one(Status::fail, current, "< 70%", "nearly every connection slot is taken now", fix);
  if (pct >= 70) return one(Status::warn, current, "< 70%", "connection slots are filling up", fix);
  return one(Status::ok, current, "< 70%", "client sessions in pg_stat_activity, this audit included");
}

Outcomes check_limit(long long limit, const std::string& what, const AuditInput& in) {
  const auto need = in.budget.app_total;
  if (limit < 0)
    return one(Status::ok, "-1 (no limit)", fmt::format(">= {} or -1", need), what + " has no connection limit");
  auto current = std::to_string(limit);
  if (limit < need)
    return one(Status::fail, current, fmt::format(">= {} or -1", need),
               fmt::format("{} allows {} sessions but the pools open up to {}", what, limit, need));
  return one(Status::ok, current, fmt::format(">= {} or -1", need), what + "'s limit covers the pools");
}

// A role limit of the pools' total plus headroom: a runaway pool (a "pool storm") then hits
// the role's limit, not max_connections, and everyone else can still connect.
Outcomes check_role_limit(const AuditInput& in) {
  const auto& s = in.snapshot;
  const auto& b = in.budget;
  const long long want = b.app_total + b.headroom;
  const auto fix = fmt::format("ALTER ROLE {} CONNECTION LIMIT {};", ident(s.user), want);
  const auto recommended = fmt::format("{} (pools {} + headroom {})", want, b.app_total, b.headroom);
  if (s.superuser)
    return one(Status::warn, fmt::format("{} (superuser)", s.role_connlimit), "a non-superuser role with a limit",
               "connection limits do not apply to superusers: a runaway pool can take every slot; "
               "give the application its own role");
  if (s.role_connlimit < 0)
    return one(Status::warn, "-1 (no limit)", recommended,
               "a runaway pool (a pool storm) can take every connection slot of the server", fix);
  if (s.role_connlimit < b.app_total)
    return one(
        Status::fail, std::to_string(s.role_connlimit), recommended,
        fmt::format("role {} allows {} sessions but the pools open up to {}", s.user, s.role_connlimit, b.app_total),
        fix);
  return one(Status::ok, std::to_string(s.role_connlimit), recommended,
             "covers the pools and stops a pool storm before max_connections");
}

Outcomes check_database_limit(const AuditInput& in) {
  auto out = check_limit(in.snapshot.database_connlimit, "database " + in.snapshot.database + " (datconnlimit)", in);
  if (out[0].status != Status::ok)
    out[0].fix = fmt::format("ALTER DATABASE {} CONNECTION LIMIT {};", ident(in.snapshot.database),
                             in.budget.app_total + in.budget.headroom);
  return out;
}

// The other login roles, each with its limit, for review.
Outcomes check_login_roles(const AuditInput& in) {
  const auto& s = in.snapshot;
  std::vector<std::string> unlimited, listed;
  for (const auto& r : s.login_roles) {
    if (r.name == s.user) continue;
    if (r.superuser) {
      listed.push_back(r.name + " (superuser)");
      continue;
    }
    listed.push_back(r.connlimit < 0 ? r.name + " (no limit)" : fmt::format("{} (limit {})", r.name, r.connlimit));
    if (r.connlimit < 0) unlimited.push_back(r.name);
  }
  auto current = listed.empty() ? std::string("(none)") : core::join(listed, ", ");
  if (unlimited.empty())
    return one(Status::ok, current, "", "every other non-superuser login role has a CONNECTION LIMIT");
  std::vector<std::string> fixes;
  for (const auto& u : unlimited) fixes.push_back("ALTER ROLE " + ident(u) + " CONNECTION LIMIT <n>;");
  // Listed for review, not a finding: the pool-storm risk judged above is the config's own role.
  return one(
      Status::ok, current, "a CONNECTION LIMIT each",
      "for review: without a limit, a runaway client of " + core::join(unlimited, ", ") + " can also take every slot",
      core::join(fixes, " "));
}

// Many sessions younger than a minute: the application connects per request or its pool
// retires connections too fast.
Outcomes check_churn(const AuditInput& in) {
  const auto& s = in.snapshot;
  const auto hidden = s.hidden_sessions > 0
                          ? fmt::format("; {} sessions of other roles hidden: GRANT pg_read_all_stats TO {}",
                                        s.hidden_sessions, ident(s.user))
                          : std::string();
  auto current = fmt::format("{} of {} sessions younger than 1 minute", s.young_sessions, s.visible_sessions);
  if (s.visible_sessions == 0 && s.hidden_sessions > 0)
    return one(Status::skip, "(hidden)", "", "other sessions are hidden" + hidden);
  if (s.visible_sessions < 5) return one(Status::ok, current, "", "too few other sessions to judge churn" + hidden);
  if (s.young_sessions * 2 >= s.visible_sessions)
    return one(Status::warn, current, "most sessions older than a minute",
               "connection churn: use a pooler, or raise the pool's max_idle so sessions are reused" + hidden);
  return one(Status::ok, current, "", "sessions are reused" + hidden);
}

// ---- TLS ----

// The audit reached the server over a Unix socket (no client address), where TLS never applies.
bool over_unix_socket(const AuditInput& in) {
  return !in.snapshot.client_address.has_value();
}

Outcomes check_ssl(const AuditInput& in) {
  const auto* ssl = in.snapshot.setting("ssl");
  if (!ssl) return missing(in, "ssl", "on");
  if (over_unix_socket(in) && ssl->setting != "on")
    return one(Status::skip, "ssl = " + ssl->setting, "on for TCP clients",
               "the config connects over a Unix socket, where TLS does not apply");
  const auto mode = sslmode_of(in.config);
  const int rank = sslmode_rank(in.config);
  auto current = "ssl = " + ssl->setting + ", sslmode = " + mode;
  if (ssl->setting == "on") {
    if (mode == "disable")
      return one(Status::warn, current, "sslmode >= require", "the server offers TLS but the config turns it off",
                 "sslmode: verify-full in the config's connection_settings");
    return one(Status::ok, current, "on", "the server offers TLS");
  }
  const auto fix = alter_system(in, "ssl", "on") + " (with ssl_cert_file and ssl_key_file in place)";
  if (rank >= kSslRequire)
    return one(Status::fail, current, "on", "sslmode=" + mode + " requires TLS but the server has it off", fix);
  if (mode == "disable")
    return one(Status::warn, current, "on, and sslmode >= require",
               "neither side uses TLS: passwords and data travel in clear", fix);
  return one(Status::warn, current, "on", "sslmode=" + mode + " prefers TLS but falls back to plaintext", fix);
}

Outcomes check_cert_files(const AuditInput& in) {
  const auto* ssl = in.snapshot.setting("ssl");
  if (!ssl) return missing(in, "ssl", "on");
  const auto* cert = in.snapshot.setting("ssl_cert_file");
  const auto* key = in.snapshot.setting("ssl_key_file");
  if (!cert || !key) return missing(in, "ssl_cert_file", "a certificate and key");
  auto current = cert->setting + ", " + key->setting;
  if (ssl->setting == "on") return one(Status::ok, current, "", "the server loaded them at start (ssl = on)");
  const auto& files = in.snapshot.files_present;
  if (files.size() < 2)
    return one(Status::skip, current, "",
               "ssl is off and role " + in.snapshot.user +
                   " may not check the files: " + stat_file_grant(in.snapshot.user) + " (or audit as a superuser)");
  std::vector<std::string> gone;
  for (const auto& [name, present] : files)
    if (!present) gone.push_back(name + " '" + in.snapshot.setting(name)->setting + "'");
  if (!gone.empty())
    return one(Status::warn, current, "create them before ssl = on", "missing: " + core::join(gone, ", "),
               "place the certificate and key (mode 0600, owned by the server's OS user), then ssl = on");
  return one(Status::ok, current, "", "the files exist; ssl = on would load them");
}

Outcomes check_ca_file(const AuditInput& in) {
  if (!has_client_cert(in.config))
    return one(Status::skip, "", "", "the config has no client certificate (sslcert/sslkey)");
  const auto* ca = in.snapshot.setting("ssl_ca_file");
  if (!ca) return missing(in, "ssl_ca_file", "the CA of the client certificates");
  if (ca->setting.empty())
    return one(Status::warn, "(empty)", "the CA of the client certificates",
               "the config sends a client certificate but the server has no CA to check it",
               alter_system(in, "ssl_ca_file", lit("root.crt")));
  return one(Status::ok, ca->setting, "", "the server can check client certificates");
}

bool ssl_off(const AuditInput& in) {
  const auto* ssl = in.snapshot.setting("ssl");
  return ssl && ssl->setting != "on";
}

Outcomes check_min_protocol(const AuditInput& in) {
  const auto* v = in.snapshot.setting("ssl_min_protocol_version");
  if (!v) return missing(in, "ssl_min_protocol_version", "TLSv1.2");
  if (ssl_off(in)) return one(Status::skip, v->setting, "TLSv1.2", "ssl is off: no TLS to judge (see tls.ssl)");
  if (v->setting == "TLSv1.3") return one(Status::ok, v->setting, "TLSv1.2", "TLS 1.3 only");
  if (v->setting == "TLSv1.2")
    return one(Status::ok, v->setting, "TLSv1.2",
               in.snapshot.session_ssl_version == "TLSv1.3"
                   ? "this session uses TLSv1.3: once every client does, TLSv1.3 may be the minimum"
                   : "");
  return one(Status::warn, v->setting.empty() ? "(any)" : v->setting, "TLSv1.2",
             "TLS versions below 1.2 have known weaknesses",
             alter_system(in, "ssl_min_protocol_version", lit("TLSv1.2")));
}

// An encrypted key without ssl_passphrase_command: the server prompts on its terminal at start,
// which an unattended start cannot answer, and a reload cannot reload TLS.
Outcomes check_key_passphrase(const AuditInput& in) {
  const auto& s = in.snapshot;
  if (ssl_off(in) || !s.setting("ssl")) return one(Status::skip, "", "", "ssl is off: no key in use (see tls.ssl)");
  if (!s.key_encrypted)
    return one(Status::skip, "(not readable)", "",
               "whether the key is encrypted needs pg_read_file: audit as a superuser (or GRANT pg_read_server_files "
               "TO " +
                   ident(s.user) + " and EXECUTE on pg_catalog.pg_read_file(text, bigint, bigint, boolean))");
  if (!*s.key_encrypted) return one(Status::ok, "not encrypted", "", "protect it by file mode 0600 instead");
  const auto* cmd = s.setting("ssl_passphrase_command");
  if (!cmd) return missing(in, "ssl_passphrase_command", "a command that prints the passphrase");
  if (cmd->setting.empty())
    return one(Status::warn, "encrypted, no ssl_passphrase_command", "a command that prints the passphrase",
               "the server prompts for the passphrase at start (an unattended start cannot answer) and cannot "
               "reload TLS",
               alter_system(in, "ssl_passphrase_command", lit("<command printing the passphrase>")) +
                   " ALTER SYSTEM SET ssl_passphrase_command_supports_reload = on;");
  return one(Status::ok, "encrypted, with ssl_passphrase_command", "", "");
}

// Forward secrecy for TLS 1.2 needs (EC)DHE key exchange; TLS 1.3 always has it. Judged from the
// cipher string alone: static-RSA key exchange must be excluded or every entry must be (EC)DHE.
Outcomes check_ciphers(const AuditInput& in) {
  const auto* v = in.snapshot.setting("ssl_ciphers");
  if (!v) return missing(in, "ssl_ciphers", "HIGH:!aNULL:!kRSA");
  if (ssl_off(in)) return one(Status::skip, v->setting, "", "ssl is off: no TLS to judge (see tls.ssl)");
  const auto* minp = in.snapshot.setting("ssl_min_protocol_version");
  if (minp && minp->setting == "TLSv1.3")
    return one(Status::ok, v->setting, "", "TLS 1.3 only: every TLS 1.3 cipher suite has forward secrecy");
  bool excludes_rsa = false, all_ephemeral = true;
  for (auto token : core::split(v->setting, ':')) {
    token = core::trim(token);
    if (token == "!kRSA" || token == "!RSA" || token == "-kRSA") excludes_rsa = true;
    if (token.empty() || token[0] == '!' || token[0] == '-' || token[0] == '+' || token[0] == '@') continue;
    static const std::vector<std::string> ephemeral{"ECDHE", "EECDH", "EDH", "DHE", "kECDHE", "kEDH", "kDHE"};
    if (std::none_of(ephemeral.begin(), ephemeral.end(),
                     [&](const std::string& p) { return core::starts_with(token, p); }))
      all_ephemeral = false;
  }
  if (excludes_rsa || all_ephemeral) return one(Status::ok, v->setting, "", "static-RSA key exchange is excluded");
  return one(Status::warn, v->setting, "HIGH:!aNULL:!kRSA",
             "allows static-RSA key exchange over TLS 1.2: no forward secrecy, a stolen key decrypts recorded sessions",
             alter_system(in, "ssl_ciphers", lit("HIGH:!aNULL:!kRSA")));
}

Outcomes check_hostssl_only(const AuditInput& in) {
  if (auto skip = hba_unreadable(in)) return *skip;
  const auto& rules = in.snapshot.hba_rules;
  const bool any_hostssl = std::any_of(rules.begin(), rules.end(), [](const HbaRule& r) {
    return r.error.empty() && r.type == "hostssl" && !r.is_reject();
  });
  const bool tls_wanted = sslmode_rank(in.config) >= kSslRequire || any_hostssl;
  if (!tls_wanted)
    return one(Status::skip, "no hostssl rules", "hostssl",
               "neither the rules nor sslmode=" + sslmode_of(in.config) + " ask for TLS (see tls.ssl)");
  return per_hba_rule(in, "no host rule lets a session in without TLS",
                      [&](const HbaRule& r) -> std::optional<Outcome> {
                        if (!(r.type == "host" || r.type == "hostnossl") || r.is_reject()) return std::nullopt;
                        auto fixed = r;
                        fixed.type = "hostssl";
                        return make(Status::warn, "", "hostssl",
                                    any_hostssl ? "a non-TLS host rule next to hostssl ones: sessions can skip TLS"
                                                : "this rule admits sessions without TLS while the config requires it",
                                    "pg_hba.conf: " + fixed.to_line());
                      });
}

Outcomes check_session_tls(const AuditInput& in) {
  const auto& s = in.snapshot;
  const int rank = sslmode_rank(in.config);
  const auto mode = sslmode_of(in.config);
  if (s.session_ssl) return one(Status::ok, "TLS " + s.session_ssl_version, "TLS", "the audit session is encrypted");
  if (over_unix_socket(in))
    return one(Status::skip, "Unix socket", "TLS", "the audit session uses a Unix socket, where TLS does not apply");
  if (rank >= kSslRequire)
    return one(Status::fail, "no TLS", "TLS", "the audit session is not encrypted although sslmode=" + mode,
               alter_system(in, "ssl", "on") + " (see tls.ssl)");
  if (mode == "disable") return one(Status::skip, "no TLS", "TLS", "sslmode=disable: TLS not asked for");
  return one(Status::warn, "no TLS", "TLS", "sslmode=" + mode + " fell back to an unencrypted session",
             "ssl = on on the server (see tls.ssl), then sslmode: require or verify-full in the config");
}

// ---- Authentication / HBA ----

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

// ---- Timeouts ----

Outcomes check_session_settings(const AuditInput& in) {
  const auto& s = in.snapshot;
  Outcomes out;
  std::set<std::string> seen;
  for (const auto* list : {&in.config.sync_settings, &in.config.async_settings}) {
    for (const auto& cs : *list) {
      if (!seen.insert(cs.key).second) continue;
      auto current = cs.key + " = " + cs.value;
      const auto* row = s.setting(cs.key);
      if (!row) {
        auto it = s.absent_settings.find(cs.key);
        if (it != s.absent_settings.end() && it->second == ProbeResult::hidden)
          out.push_back(
              make(Status::skip, current, "",
                   cs.key + " is not visible to role " + s.user + ": " + read_settings_grant(in) + " to check it"));
        else if (cs.key.find('.') != std::string::npos)
          out.push_back(make(Status::ok, current, "", "a custom setting: any session may SET it"));
        else
          out.push_back(make(Status::fail, current, "", cs.key + " is not a setting on this server: SET fails",
                             "remove " + cs.key + " from the config's sync_settings/async_settings (or fix its name)"));
      } else if (row->context == "user" || (row->context == "superuser" && s.superuser)) {
        out.push_back(make(Status::ok, current, "", "exists and may be SET by role " + s.user));
      } else {
        out.push_back(make(Status::fail, current, "",
                           fmt::format("{} cannot be SET by role {} (context {})", cs.key, s.user, row->context),
                           "remove " + cs.key + " from the config's session settings and set it on the server"));
      }
      out.back().setting = cs.key;
    }
  }
  if (out.empty()) out.push_back(make(Status::ok, "(none)", "", "the config sets no session settings"));
  return out;
}

Outcomes check_idle_in_transaction(const AuditInput& in) {
  const auto* row = in.snapshot.setting("idle_in_transaction_session_timeout");
  if (!row) return missing(in, "idle_in_transaction_session_timeout", "60000");
  if (const auto* cs = config_setting(in.config, "idle_in_transaction_session_timeout"))
    return one(Status::ok, row->setting + " (server), " + cs->value + " (config)", "",
               "the config sets it per session");
  if (row->setting == "0")
    return one(Status::warn, "0", "e.g. 60000 (ms)",
               "disabled and not set by the config: an abandoned transaction holds locks and blocks vacuum",
               "idle_in_transaction_session_timeout: '60s' in the config's sync_settings/async_settings, or " +
                   alter_system(in, "idle_in_transaction_session_timeout", lit("60s")));
  return one(Status::ok, row->setting, "", "");
}

Outcomes check_idle_session(const AuditInput& in) {
  const auto* row = in.snapshot.setting("idle_session_timeout");  // 14+
  if (!row) return missing(in, "idle_session_timeout", "0 or above the pools' max_idle");
  std::string value = row->setting;
  std::string where = "server";
  if (const auto* cs = config_setting(in.config, "idle_session_timeout")) {
    value = cs->value;
    where = "config";
  }
  const auto ms = core::parse_int(value);
  std::optional<double> max_idle;
  for (const auto* p : {&in.config.pool, &in.config.async_pool})
    if (p->present && p->max_idle) max_idle = std::max(max_idle.value_or(0), *p->max_idle);
  auto current = fmt::format("{} ms ({})", value, where);
  if (!ms || *ms == 0) return one(Status::ok, current, "", "idle sessions are not cut by the server");
  if (!max_idle) return one(Status::ok, current, "", "no pool max_idle to compare with");
  auto recommended = fmt::format("0 or > {:.0f} ms (pool max_idle)", *max_idle * 1000);
  if (static_cast<double>(*ms) < *max_idle * 1000)
    return one(Status::warn, current, recommended,
               "the server closes idle pooled sessions before the pool retires them: checkout errors",
               where == "config" ? "raise idle_session_timeout in the config's session settings"
                                 : alter_system(in, "idle_session_timeout", "0"));
  return one(Status::ok, current, recommended, "longer than the pools' max_idle");
}

// A duration as stored: pg_settings gives milliseconds, pg_db_role_setting and the files keep the
// text as written ("30s").
bool zero_duration(const std::string& v) {
  const auto end = v.find_first_not_of("0123456789");
  const auto digits = v.substr(0, end);
  return !digits.empty() && digits.find_first_not_of('0') == std::string::npos &&
         (end == std::string::npos || v[end] != '.');
}

std::string with_unit(const std::string& v) {
  return core::parse_int(v) ? v + "ms" : v;
}

// The audit's own session runs with statement_timeout = 30s from its startup options; the
// snapshot holds the value the application's sessions get (role, database, file or default).
Outcomes check_statement_timeout(const AuditInput& in) {
  const auto* row = in.snapshot.setting("statement_timeout");
  if (!row) return missing(in, "statement_timeout", "0 server-wide");
  if (row->source == kHiddenSource)
    return one(Status::skip, "(not readable)", "0 server-wide",
               "the server-wide value is only in pg_file_settings, which role " + in.snapshot.user +
                   " may not read: " + file_settings_grant(in.snapshot.user) + " (or audit as a superuser)");
  if (zero_duration(row->setting))
    return one(Status::ok, "0 (" + row->source + ")", "0 server-wide", "set per session or per role instead");
  static const std::set<std::string> server_wide{"configuration file", "command line", "environment variable",
                                                 "global"};
  auto current = with_unit(row->setting) + " (" + row->source + ")";
  if (server_wide.count(row->source))
    return one(
        Status::warn, current, "0 server-wide",
        "a server-wide statement_timeout also cuts pg_dump, migrations and maintenance; set it per role or session",
        (row->source == "global" ? "ALTER ROLE ALL RESET statement_timeout;"
                                 : "ALTER SYSTEM RESET statement_timeout; SELECT pg_catalog.pg_reload_conf();") +
            std::string(" ALTER ROLE ") + ident(in.snapshot.user) +
            " SET statement_timeout = " + lit(with_unit(row->setting)) + ";");
  return one(Status::ok, current, "", "set for the role or database, not server-wide");
}

// ---- Logging ----

Outcomes check_bool_on(const AuditInput& in, const std::string& name, const std::string& why) {
  const auto* row = in.snapshot.setting(name);
  if (!row) return missing(in, name, "on");
  if (row->setting == "on") return one(Status::ok, "on", "on", "");
  return one(Status::warn, row->setting, "on", why, alter_system(in, name, "on"));
}

// Where the server log goes: stderr without the collector is kept only if whatever started the
// server captures it; csvlog and jsonlog need the collector and are lost without it.
Outcomes check_log_destination(const AuditInput& in) {
  const auto* dest = in.snapshot.setting("log_destination");
  const auto* collector = in.snapshot.setting("logging_collector");
  if (!dest) return missing(in, "log_destination", "stderr with logging_collector = on");
  if (!collector) return missing(in, "logging_collector", "on");
  auto current = "log_destination = " + dest->setting + ", logging_collector = " + collector->setting;
  std::vector<std::string> kinds;
  for (const auto& k : core::split(dest->setting, ',')) kinds.push_back(core::to_lower(core::trim(k)));
  auto uses = [&](const char* k) { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); };
  const bool on = collector->setting == "on";
  const auto fix = alter_system(in, "logging_collector", "on");
  if (!on && (uses("csvlog") || uses("jsonlog")))
    return one(Status::fail, current, "logging_collector = on",
               "csvlog and jsonlog are written only by the logging collector, which is off: those logs go nowhere",
               fix);
  if (uses("syslog") || uses("eventlog") || on) return one(Status::ok, current, "", "logs go to files or syslog");
  return one(Status::warn, current, "logging_collector = on",
             "stderr without the collector is kept only if whatever started the server captures it (pg_ctl -l, "
             "systemd's journal); check it is kept and rotated",
             fix);
}

Outcomes check_log_statement(const AuditInput& in) {
  const auto* v = in.snapshot.setting("log_statement");
  if (!v) return missing(in, "log_statement", "ddl");
  const auto fix = alter_system(in, "log_statement", lit("ddl"));
  if (v->setting == "none")
    return one(Status::warn, "none", "ddl", "schema and role changes leave no trace in the log", fix);
  if (v->setting == "all")
    return one(Status::warn, "all", "ddl",
               "every statement is logged: a large volume, and literal values (personal data) land in the log", fix);
  return one(Status::ok, v->setting, "ddl",
             "note: CREATE/ALTER ROLE ... PASSWORD '...' is logged in clear; set passwords with psql's \\password");
}

Outcomes check_log_min_duration(const AuditInput& in) {
  const auto* v = in.snapshot.setting("log_min_duration_statement");
  if (!v) return missing(in, "log_min_duration_statement", "1000 (ms)");
  const auto ms = core::parse_int(v->setting).value_or(-1);
  const auto fix = alter_system(in, "log_min_duration_statement", lit("1s"));
  if (ms < 0) return one(Status::warn, "-1 (off)", "e.g. 1000 (ms)", "slow queries are invisible in the log", fix);
  if (ms == 0)
    return one(Status::warn, "0 (every statement)", "e.g. 1000 (ms)",
               "every statement is logged with its duration: a large volume", fix);
  return one(Status::ok, v->setting + " ms", "e.g. 1000 (ms)", "slower statements are logged");
}

Outcomes check_log_min_error(const AuditInput& in) {
  const auto* v = in.snapshot.setting("log_min_error_statement");
  if (!v) return missing(in, "log_min_error_statement", "error");
  if (v->setting == "log" || v->setting == "fatal" || v->setting == "panic")
    return one(Status::warn, v->setting, "error", "the statements behind errors are not logged",
               alter_system(in, "log_min_error_statement", "error"));
  return one(Status::ok, v->setting, "error", "the statement behind each error is logged");
}

Outcomes check_line_prefix(const AuditInput& in) {
  const auto* row = in.snapshot.setting("log_line_prefix");
  if (!row) return missing(in, "log_line_prefix", "%m [%p] %q%u@%d app=%a client=%h ");
  const auto& p = row->setting;
  auto has = [&p](const char* a, const char* b = nullptr) {
    return p.find(a) != std::string::npos || (b && p.find(b) != std::string::npos);
  };
  std::vector<std::string> lacking;
  if (!has("%m", "%t") && !has("%n")) lacking.push_back("time (%m)");
  if (!has("%p", "%c")) lacking.push_back("pid (%p)");
  if (!has("%u")) lacking.push_back("user (%u)");
  if (!has("%d")) lacking.push_back("database (%d)");
  if (!has("%a")) lacking.push_back("application (%a)");
  if (!has("%h", "%r")) lacking.push_back("host (%h)");
  auto current = "'" + p + "'";
  if (lacking.empty()) return one(Status::ok, current, "", "");
  return one(Status::warn, current, "'%m [%p] %q%u@%d app=%a client=%h '", "lacks " + core::join(lacking, ", "),
             alter_system(in, "log_line_prefix", lit("%m [%p] %q%u@%d app=%a client=%h ")));
}

Outcomes check_log_hostname(const AuditInput& in) {
  const auto* row = in.snapshot.setting("log_hostname");
  if (!row) return missing(in, "log_hostname", "off");
  if (row->setting == "off") return one(Status::ok, "off", "off", "");
  return one(Status::warn, row->setting, "off", "a reverse DNS lookup on every connection slows connecting",
             alter_system(in, "log_hostname", "off"));
}

// ---- Memory (only with --ram) ----

std::optional<Outcomes> no_machine(const AuditInput& in) {
  if (in.machine) return std::nullopt;
  return one(Status::skip, "", "", "pass --ram SIZE (and --cpus, --workload) to check memory");
}

SizingTargets targets(const AuditInput& in) {
  return recommended_sizing(*in.machine, in.budget);
}

Outcomes compare_size(const AuditInput& in, const std::string& name, std::uint64_t target, double low, double high,
                      const std::string& why_low, const std::string& why_high) {
  auto kb = kb_setting(in.snapshot, name);
  if (!kb) return missing(in, name, format_size_kb(target));
  auto current = format_size_kb(*kb);
  auto recommended = format_size_kb(target);
  const double ratio = target ? static_cast<double>(*kb) / static_cast<double>(target) : 1;
  const auto fix = alter_system(in, name, lit(recommended));
  if (ratio < low) return one(Status::warn, current, recommended, why_low, fix);
  if (ratio > high) return one(Status::warn, current, recommended, why_high, fix);
  return one(Status::ok, current, recommended, "near PGTune's target");
}

Outcomes check_shared_buffers(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  return compare_size(in, "shared_buffers", targets(in).shared_buffers_kb, 0.5, 1.6,
                      "well below PGTune's target: more reads go to the OS cache or disk",
                      "above 40% of RAM: starves the OS cache and work_mem");
}

Outcomes check_effective_cache_size(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  return compare_size(in, "effective_cache_size", targets(in).effective_cache_size_kb, 0.5, 1.34,
                      "the planner assumes little is cached and avoids index scans",
                      "larger than RAM: the planner assumes caching that cannot happen");
}

Outcomes check_maintenance_work_mem(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  return compare_size(in, "maintenance_work_mem", targets(in).maintenance_work_mem_kb, 0.25, 4,
                      "vacuum and index builds will be slow", "each autovacuum worker may use this much");
}

Outcomes check_work_mem(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  auto t = targets(in);
  auto kb = kb_setting(in.snapshot, "work_mem");
  if (!kb) return missing(in, "work_mem", format_size_kb(t.work_mem_kb));
  // The target is sized for the recommended max_connections (as the hints print it); the risk is
  // judged against the live one, which is what the server admits today.
  const auto sessions =
      static_cast<std::uint64_t>(std::max<long long>(1, int_setting(in.snapshot, "max_connections", 100)));
  auto current =
      fmt::format("{} (x {} connections = {})", format_size_kb(*kb), sessions, format_size_kb(*kb * sessions));
  auto recommended = format_size_kb(t.work_mem_kb);
  const auto fix = alter_system(in, "work_mem", lit(recommended));
  if (*kb * sessions > in.machine->ram_kb)
    return one(Status::fail, current, recommended, "one sort per connection at once would exceed RAM", fix);
  if (*kb > t.work_mem_kb * 4)
    return one(Status::warn, current, recommended, "far above PGTune's target: " + t.work_mem_formula, fix);
  return one(Status::ok, current, recommended, t.work_mem_formula);
}

Outcomes check_worst_case(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  const auto& s = in.snapshot;
  auto sb = kb_setting(s, "shared_buffers"), wm = kb_setting(s, "work_mem"),
       mwm = kb_setting(s, "maintenance_work_mem");
  if (!sb || !wm || !mwm) return missing(in, "shared_buffers/work_mem/maintenance_work_mem", "");
  const auto conns = static_cast<std::uint64_t>(int_setting(s, "max_connections", 100));
  const auto workers = static_cast<std::uint64_t>(int_setting(s, "autovacuum_max_workers", 3));
  auto av = kb_setting(s, "autovacuum_work_mem");  // -1: uses maintenance_work_mem
  const std::uint64_t av_kb = av ? *av : *mwm;
  const std::uint64_t total = *sb + conns * *wm + workers * av_kb + *mwm;
  const auto ram = in.machine->ram_kb;
  auto current = fmt::format("{} = shared_buffers {} + {} x work_mem {} + {} autovacuum x {} + maintenance {}",
                             format_size_kb(total), format_size_kb(*sb), conns, format_size_kb(*wm), workers,
                             format_size_kb(av_kb), format_size_kb(*mwm));
  auto recommended = "< 90% of RAM " + format_size_kb(ram);
  const double pct = 100.0 * static_cast<double>(total) / static_cast<double>(ram);
  const auto fix = "lower work_mem or max_connections (see memory.work_mem, capacity.max_connections)";
  if (pct > 100)
    return one(Status::fail, current, recommended, fmt::format("{:.0f}% of RAM: the OOM killer can strike", pct), fix);
  if (pct > 90) return one(Status::warn, current, recommended, fmt::format("{:.0f}% of RAM at worst", pct), fix);
  return one(Status::ok, current, recommended, fmt::format("{:.0f}% of RAM at worst", pct));
}

// ---- Privileges (in the config's database) ----

Outcomes check_public_create(const AuditInput& in) {
  const auto& schemas = in.snapshot.public_create_schemas;
  if (schemas.empty()) return one(Status::ok, "none", "none", "PUBLIC may not CREATE in any schema");
  std::vector<std::string> fixes;
  for (const auto& n : schemas) fixes.push_back("REVOKE CREATE ON SCHEMA " + ident(n) + " FROM PUBLIC;");
  return one(Status::warn, core::join(schemas, ", "), "none",
             "every role may create objects there, and a function or operator planted in a schema on the "
             "search_path can run as whoever calls it (CVE-2018-1058)",
             "in database " + in.snapshot.database + ": " + core::join(fixes, " "));
}

Outcomes check_createrole(const AuditInput& in) {
  const auto& roles = in.snapshot.createrole_roles;
  if (roles.empty()) return one(Status::ok, "none", "none", "no non-superuser has CREATEROLE");
  const bool v16 = in.snapshot.server_version_num >= 160000;
  std::vector<std::string> fixes;
  for (const auto& r : roles) fixes.push_back("ALTER ROLE " + ident(r) + " NOCREATEROLE;");
  return one(Status::warn, core::join(roles, ", "), "none, or a dedicated admin role",
             v16 ? "CREATEROLE creates roles and administers the ones it created: keep it to admin roles"
                 : "before PostgreSQL 16 CREATEROLE may grant itself any non-superuser role, "
                   "pg_execute_server_program included: close to superuser",
             core::join(fixes, " "));
}

Outcomes check_untrusted_languages(const AuditInput& in) {
  const auto& s = in.snapshot;
  if (s.untrusted_languages.empty()) return one(Status::ok, "none", "none", "no untrusted language is installed");
  std::vector<std::string> fixes;
  for (const auto& l : s.untrusted_languages) fixes.push_back("DROP EXTENSION " + ident(l) + ";");
  return one(Status::warn, core::join(s.untrusted_languages, ", "), "none, unless needed",
             fmt::format("code in them runs with the server's OS account; only superusers may write it "
                         "({}), but any role with EXECUTE may call the {} function(s) written in them",
                         core::join(s.superusers, ", "), s.untrusted_functions),
             "if unused, in database " + s.database + ": " + core::join(fixes, " "));
}

}  // namespace

SizingTargets recommended_sizing(const Machine& machine, const ConnectionBudget& budget) {
  return pgtune_targets(machine, budget.max_connections);
}

const char* to_string(Status s) {
  switch (s) {
    case Status::ok:
      return "OK";
    case Status::warn:
      return "WARN";
    case Status::fail:
      return "FAIL";
    case Status::skip:
      return "SKIP";
  }
  return "SKIP";
}

HbaClient audit_client(const AuditInput& in) {
  HbaClient c;
  c.user = in.snapshot.user;
  c.database = in.snapshot.database;
  c.member_of = in.snapshot.member_of;
  c.regex_entries = hba_regex_entries(in.snapshot.server_version_num);
  c.address = in.client_cidr ? in.client_cidr : in.snapshot.client_address;
  const auto mode = sslmode_of(in.config);
  const auto* ssl = in.snapshot.setting("ssl");
  // allow/prefer get TLS whenever the server offers it.
  c.ssl = mode != "disable" && ((ssl && ssl->setting == "on") || sslmode_rank(in.config) >= kSslRequire);
  return c;
}

const std::vector<std::string>& rule_groups() {
  static const std::vector<std::string> groups{"Capacity", "TLS",     "Authentication", "Privileges",
                                               "Timeouts", "Logging", "Memory"};
  return groups;
}

const std::vector<Rule>& audit_rules() {
  static const std::vector<Rule> rules{
      {"capacity.max_connections", "Capacity", check_max_connections, "max_connections"},
      {"capacity.superuser_reserved", "Capacity", check_superuser_reserved, "superuser_reserved_connections"},
      {"capacity.usage", "Capacity", check_usage, ""},
      {"capacity.role_limit", "Capacity", check_role_limit, ""},
      {"capacity.database_limit", "Capacity", check_database_limit, ""},
      {"capacity.login_roles", "Capacity", check_login_roles, ""},
      {"capacity.churn", "Capacity", check_churn, ""},
      {"tls.ssl", "TLS", check_ssl, "ssl"},
      {"tls.cert_files", "TLS", check_cert_files, "ssl_cert_file"},
      {"tls.ca_file", "TLS", check_ca_file, "ssl_ca_file"},
      {"tls.min_protocol", "TLS", check_min_protocol, "ssl_min_protocol_version"},
      {"tls.ciphers", "TLS", check_ciphers, "ssl_ciphers"},
      {"tls.key_passphrase", "TLS", check_key_passphrase, "ssl_passphrase_command"},
      {"tls.hostssl_only", "TLS", check_hostssl_only, ""},
      {"tls.session", "TLS", check_session_tls, ""},
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
      {"privileges.public_create", "Privileges", check_public_create, ""},
      {"privileges.createrole", "Privileges", check_createrole, ""},
      {"privileges.untrusted_languages", "Privileges", check_untrusted_languages, ""},
      {"timeouts.session_settings", "Timeouts", check_session_settings, ""},
      {"timeouts.idle_in_transaction", "Timeouts", check_idle_in_transaction, "idle_in_transaction_session_timeout"},
      {"timeouts.idle_session", "Timeouts", check_idle_session, "idle_session_timeout"},
      {"timeouts.statement_timeout", "Timeouts", check_statement_timeout, "statement_timeout"},
      {"logging.connections", "Logging",
       [](const AuditInput& in) {
         return check_bool_on(in, "log_connections", "connections are not logged: no trail of who came in");
       },
       "log_connections"},
      {"logging.disconnections", "Logging",
       [](const AuditInput& in) {
         return check_bool_on(in, "log_disconnections", "session ends are not logged: pool churn is invisible");
       },
       "log_disconnections"},
      {"logging.destination", "Logging", check_log_destination, "logging_collector"},
      {"logging.statement", "Logging", check_log_statement, "log_statement"},
      {"logging.min_duration_statement", "Logging", check_log_min_duration, "log_min_duration_statement"},
      {"logging.min_error_statement", "Logging", check_log_min_error, "log_min_error_statement"},
      {"logging.line_prefix", "Logging", check_line_prefix, "log_line_prefix"},
      {"logging.hostname", "Logging", check_log_hostname, "log_hostname"},
      {"memory.shared_buffers", "Memory", check_shared_buffers, "shared_buffers"},
      {"memory.effective_cache_size", "Memory", check_effective_cache_size, "effective_cache_size"},
      {"memory.work_mem", "Memory", check_work_mem, "work_mem"},
      {"memory.maintenance_work_mem", "Memory", check_maintenance_work_mem, "maintenance_work_mem"},
      {"memory.worst_case", "Memory", check_worst_case, ""},
  };
  return rules;
}

std::vector<AuditFinding> evaluate(const AuditInput& input) {
  std::vector<AuditFinding> out;
  for (const auto& rule : audit_rules())
    for (auto& o : rule.check(input)) {
      if (o.setting.empty()) o.setting = rule.setting;
      out.push_back({rule.id, rule.group, std::move(o)});
    }
  return out;
}

}  // namespace pgmonkey::server
