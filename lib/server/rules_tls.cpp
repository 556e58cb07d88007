// TLS rules: ssl against sslmode, certificates, protocol, ciphers, the session.
#include <algorithm>

#include "core/strings.hpp"
#include "server/rule_helpers.hpp"

namespace pgmonkey::server::checks {
namespace {

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

}  // namespace

std::vector<Rule> tls_rules() {
  return {
      {"tls.ssl", "TLS", check_ssl, "ssl"},
      {"tls.cert_files", "TLS", check_cert_files, "ssl_cert_file"},
      {"tls.ca_file", "TLS", check_ca_file, "ssl_ca_file"},
      {"tls.min_protocol", "TLS", check_min_protocol, "ssl_min_protocol_version"},
      {"tls.ciphers", "TLS", check_ciphers, "ssl_ciphers"},
      {"tls.key_passphrase", "TLS", check_key_passphrase, "ssl_passphrase_command"},
      {"tls.hostssl_only", "TLS", check_hostssl_only, ""},
      {"tls.session", "TLS", check_session_tls, ""},
  };
}

}  // namespace pgmonkey::server::checks
