// The audit rules, one small check each; the table at the bottom is the whole rule set.
#include "server/rules.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/strings.hpp"

namespace pgmonkey::server {
namespace {

using Outcomes = std::vector<Outcome>;

Outcome make(Status s, std::string current, std::string recommended, std::string message) {
  return Outcome{s, std::move(current), std::move(recommended), std::move(message), std::nullopt};
}

Outcomes one(Status s, std::string current, std::string recommended, std::string message) {
  return {make(s, std::move(current), std::move(recommended), std::move(message))};
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
               name + " is hidden from role " + in.snapshot.user + " (needs superuser or pg_read_all_settings)");
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
    if (!rules[i].error.empty()) continue;
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
  if (b.app_total > usable)
    return one(Status::fail, current, recommended,
               fmt::format("the pools can open {} sessions ({} per instance x {}) but only {} slots are usable",
                           b.app_total, b.per_instance, b.app_instances, usable));
  if (b.max_connections > max)
    return one(Status::warn, current, recommended,
               fmt::format("the pools fit, but without the headroom of {} for admin sessions and deploys", b.headroom));
  return one(Status::ok, current, recommended,
             fmt::format("room for the pools' {} sessions plus {} headroom", b.app_total, b.headroom));
}

Outcomes check_superuser_reserved(const AuditInput& in) {
  const long long su = int_setting(in.snapshot, "superuser_reserved_connections");
  if (su == 0)
    return one(Status::warn, "0", ">= 3", "with full pools nobody, not even a DBA, can connect to fix things");
  return one(Status::ok, std::to_string(su), ">= 3", "a DBA can still connect when the pools are full");
}

Outcomes check_usage(const AuditInput& in) {
  const long long max = std::max<long long>(1, int_setting(in.snapshot, "max_connections", 1));
  const long long used = in.snapshot.client_backends;
  const double pct = 100.0 * static_cast<double>(used) / static_cast<double>(max);
  auto current = fmt::format("{} of {} ({:.0f}%)", used, max, pct);
  if (pct >= 90) return one(Status::fail, current, "< 70%", "nearly every connection slot is taken now");
  if (pct >= 70) return one(Status::warn, current, "< 70%", "connection slots are filling up");
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

Outcomes check_role_limit(const AuditInput& in) {
  return check_limit(in.snapshot.role_connlimit, "role " + in.snapshot.user + " (rolconnlimit)", in);
}

Outcomes check_database_limit(const AuditInput& in) {
  return check_limit(in.snapshot.database_connlimit, "database " + in.snapshot.database + " (datconnlimit)", in);
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
      return one(Status::warn, current, "sslmode >= require", "the server offers TLS but the config turns it off");
    return one(Status::ok, current, "on", "the server offers TLS");
  }
  if (rank >= kSslRequire)
    return one(Status::fail, current, "on", "sslmode=" + mode + " requires TLS but the server has it off");
  if (mode == "disable")
    return one(Status::warn, current, "on, and sslmode >= require",
               "neither side uses TLS: passwords and data travel in clear");
  return one(Status::warn, current, "on", "sslmode=" + mode + " prefers TLS but falls back to plaintext");
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
    return one(Status::skip, current, "", "ssl is off and this role may not check the files (pg_stat_file)");
  std::vector<std::string> gone;
  for (const auto& [name, present] : files)
    if (!present) gone.push_back(name + " '" + in.snapshot.setting(name)->setting + "'");
  if (!gone.empty())
    return one(Status::warn, current, "create them before ssl = on", "missing: " + core::join(gone, ", "));
  return one(Status::ok, current, "", "the files exist; ssl = on would load them");
}

Outcomes check_ca_file(const AuditInput& in) {
  if (!has_client_cert(in.config))
    return one(Status::skip, "", "", "the config has no client certificate (sslcert/sslkey)");
  const auto* ca = in.snapshot.setting("ssl_ca_file");
  if (!ca) return missing(in, "ssl_ca_file", "the CA of the client certificates");
  if (ca->setting.empty())
    return one(Status::warn, "(empty)", "the CA of the client certificates",
               "the config sends a client certificate but the server has no CA to check it");
  return one(Status::ok, ca->setting, "", "the server can check client certificates");
}

Outcomes check_min_protocol(const AuditInput& in) {
  const auto* v = in.snapshot.setting("ssl_min_protocol_version");
  if (!v) return missing(in, "ssl_min_protocol_version", "TLSv1.2");
  if (v->setting == "TLSv1.2" || v->setting == "TLSv1.3") return one(Status::ok, v->setting, "TLSv1.2", "");
  return one(Status::warn, v->setting.empty() ? "(any)" : v->setting, "TLSv1.2",
             "TLS versions below 1.2 have known weaknesses");
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
                        return make(Status::warn, "", "hostssl",
                                    any_hostssl ? "a non-TLS host rule next to hostssl ones: sessions can skip TLS"
                                                : "this rule admits sessions without TLS while the config requires it");
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
    return one(Status::fail, "no TLS", "TLS", "the audit session is not encrypted although sslmode=" + mode);
  if (mode == "disable") return one(Status::skip, "no TLS", "TLS", "sslmode=disable: TLS not asked for");
  return one(Status::warn, "no TLS", "TLS", "sslmode=" + mode + " fell back to an unencrypted session");
}

// ---- Authentication / HBA ----

Outcomes check_password_encryption(const AuditInput& in) {
  const auto* v = in.snapshot.setting("password_encryption");
  if (!v) return missing(in, "password_encryption", "scram-sha-256");
  if (v->setting == "scram-sha-256") return one(Status::ok, v->setting, "scram-sha-256", "");
  return one(Status::fail, v->setting, "scram-sha-256", "new passwords are stored as MD5 hashes, which are replayable");
}

Outcomes check_methods(const AuditInput& in) {
  return per_hba_rule(in, "no trust, password, md5 or ident rules", [](const HbaRule& r) -> std::optional<Outcome> {
    const auto& m = r.auth_method;
    if (m == "trust") return make(Status::fail, "", "scram-sha-256", "trust lets anyone in as any user, no password");
    if (m == "password") return make(Status::fail, "", "scram-sha-256", "password sends it in clear text");
    if (m == "md5") return make(Status::warn, "", "scram-sha-256", "md5 is deprecated and weaker than SCRAM");
    if (m == "ident") return make(Status::warn, "", "scram-sha-256", "ident trusts the client host's identd");
    return std::nullopt;
  });
}

Outcomes check_open_addresses(const AuditInput& in) {
  return per_hba_rule(in, "no rule is open to every address", [](const HbaRule& r) -> std::optional<Outcome> {
    if (r.is_reject() || !r.open_to_everyone()) return std::nullopt;
    return make(Status::warn, "", "the clients' network", "open to every address (" + r.address + ")");
  });
}

Outcomes check_all_all(const AuditInput& in) {
  auto has = [](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), "all") != v.end(); };
  return per_hba_rule(in, "host rules name their databases or users", [&](const HbaRule& r) -> std::optional<Outcome> {
    if (!r.is_host() || r.is_reject() || !has(r.databases) || !has(r.users)) return std::nullopt;
    return make(Status::warn, "", "named database and user", "all databases for all users");
  });
}

Outcomes check_superuser_remote(const AuditInput& in) {
  const auto& supers = in.snapshot.superusers;
  return per_hba_rule(in, "superusers can only connect locally", [&](const HbaRule& r) -> std::optional<Outcome> {
    if (!r.is_host() || r.is_reject()) return std::nullopt;
    std::vector<std::string> admitted;
    for (const auto& su : supers)
      if (rule_admits_user(r, su, {})) admitted.push_back(su);
    if (admitted.empty()) return std::nullopt;
    return make(Status::warn, "", "local only, or reject",
                "superuser " + core::join(admitted, ", ") + " may connect over the network");
  });
}

Outcomes check_hba_errors(const AuditInput& in) {
  if (auto skip = hba_unreadable(in)) return *skip;
  Outcomes out;
  const auto& rules = in.snapshot.hba_rules;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].error.empty()) continue;
    auto o = make(Status::fail, "line " + std::to_string(rules[i].line_number), "",
                  "the next reload will fail: " + rules[i].error);
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
      return one(Status::warn, v->setting, "the interfaces clients use", "listens on every interface");
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
  if (!m.index) return one(Status::fail, "no match", "a scram-sha-256 rule", "no rule admits " + who + undecided);
  const auto& r = rules[*m.index];
  Outcome o = make(Status::ok, r.label() + ": " + r.to_line(), "", who + " matches" + undecided);
  o.hba_rule = *m.index;
  if (r.is_reject()) {
    o.status = Status::fail;
    o.message = who + " hits a reject rule" + undecided;
  } else if (sslmode_rank(in.config) >= kSslRequire && r.type != "hostssl") {
    o.status = Status::warn;
    o.recommended = "a hostssl rule";
    o.message = who + " matches a rule that does not demand TLS" + undecided;
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
          out.push_back(make(Status::skip, current, "", cs.key + " is hidden from role " + s.user));
        else if (cs.key.find('.') != std::string::npos)
          out.push_back(make(Status::ok, current, "", "a custom setting: any session may SET it"));
        else
          out.push_back(make(Status::fail, current, "", cs.key + " is not a setting on this server: SET fails"));
      } else if (row->context == "user" || (row->context == "superuser" && s.superuser)) {
        out.push_back(make(Status::ok, current, "", "exists and may be SET by role " + s.user));
      } else {
        out.push_back(make(Status::fail, current, "",
                           fmt::format("{} cannot be SET by role {} (context {})", cs.key, s.user, row->context)));
      }
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
               "disabled and not set by the config: an abandoned transaction holds locks and blocks vacuum");
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
               "the server closes idle pooled sessions before the pool retires them: checkout errors");
  return one(Status::ok, current, recommended, "longer than the pools' max_idle");
}

Outcomes check_statement_timeout(const AuditInput& in) {
  const auto* row = in.snapshot.setting("statement_timeout");
  if (!row) return missing(in, "statement_timeout", "0 server-wide");
  if (row->setting == "0") return one(Status::ok, "0", "0 server-wide", "set per session or per role instead");
  static const std::set<std::string> server_wide{"configuration file", "command line", "environment variable"};
  auto current = row->setting + " ms (" + row->source + ")";
  if (server_wide.count(row->source))
    return one(
        Status::warn, current, "0 server-wide",
        "a server-wide statement_timeout also cuts pg_dump, migrations and maintenance; set it per role or session");
  return one(Status::ok, current, "", "set for the role or database, not server-wide");
}

// ---- Logging ----

Outcomes check_bool_on(const AuditInput& in, const std::string& name, const std::string& why) {
  const auto* row = in.snapshot.setting(name);
  if (!row) return missing(in, name, "on");
  if (row->setting == "on") return one(Status::ok, "on", "on", "");
  return one(Status::warn, row->setting, "on", why);
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
  return one(Status::warn, current, "'%m [%p] %q%u@%d app=%a client=%h '", "lacks " + core::join(lacking, ", "));
}

Outcomes check_log_hostname(const AuditInput& in) {
  const auto* row = in.snapshot.setting("log_hostname");
  if (!row) return missing(in, "log_hostname", "off");
  if (row->setting == "off") return one(Status::ok, "off", "off", "");
  return one(Status::warn, row->setting, "off", "a reverse DNS lookup on every connection slows connecting");
}

// ---- Memory (only with --ram) ----

std::optional<Outcomes> no_machine(const AuditInput& in) {
  if (in.machine) return std::nullopt;
  return one(Status::skip, "", "", "pass --ram SIZE (and --cpus, --workload) to check memory");
}

SizingTargets targets(const AuditInput& in) {
  return pgtune_targets(*in.machine, int_setting(in.snapshot, "max_connections", 100));
}

Outcomes compare_size(const AuditInput& in, const std::string& name, std::uint64_t target, double low, double high,
                      const std::string& why_low, const std::string& why_high) {
  auto kb = kb_setting(in.snapshot, name);
  if (!kb) return missing(in, name, format_size_kb(target));
  auto current = format_size_kb(*kb);
  auto recommended = format_size_kb(target);
  const double ratio = target ? static_cast<double>(*kb) / static_cast<double>(target) : 1;
  if (ratio < low) return one(Status::warn, current, recommended, why_low);
  if (ratio > high) return one(Status::warn, current, recommended, why_high);
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
  const auto sessions = static_cast<std::uint64_t>(t.max_connections);
  auto current =
      fmt::format("{} (x {} connections = {})", format_size_kb(*kb), sessions, format_size_kb(*kb * sessions));
  auto recommended = format_size_kb(t.work_mem_kb);
  if (*kb * sessions > in.machine->ram_kb)
    return one(Status::fail, current, recommended, "one sort per connection at once would exceed RAM");
  if (*kb > t.work_mem_kb * 4)
    return one(Status::warn, current, recommended, "far above PGTune's target: " + t.work_mem_formula);
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
  if (pct > 100)
    return one(Status::fail, current, recommended, fmt::format("{:.0f}% of RAM: the OOM killer can strike", pct));
  if (pct > 90) return one(Status::warn, current, recommended, fmt::format("{:.0f}% of RAM at worst", pct));
  return one(Status::ok, current, recommended, fmt::format("{:.0f}% of RAM at worst", pct));
}

}  // namespace

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
  c.address = in.client_cidr ? in.client_cidr : in.snapshot.client_address;
  const auto mode = sslmode_of(in.config);
  const auto* ssl = in.snapshot.setting("ssl");
  // allow/prefer get TLS whenever the server offers it.
  c.ssl = mode != "disable" && ((ssl && ssl->setting == "on") || sslmode_rank(in.config) >= kSslRequire);
  return c;
}

const std::vector<std::string>& rule_groups() {
  static const std::vector<std::string> groups{"Capacity", "TLS", "Authentication", "Timeouts", "Logging", "Memory"};
  return groups;
}

const std::vector<Rule>& audit_rules() {
  static const std::vector<Rule> rules{
      {"capacity.max_connections", "Capacity", check_max_connections},
      {"capacity.superuser_reserved", "Capacity", check_superuser_reserved},
      {"capacity.usage", "Capacity", check_usage},
      {"capacity.role_limit", "Capacity", check_role_limit},
      {"capacity.database_limit", "Capacity", check_database_limit},
      {"tls.ssl", "TLS", check_ssl},
      {"tls.cert_files", "TLS", check_cert_files},
      {"tls.ca_file", "TLS", check_ca_file},
      {"tls.min_protocol", "TLS", check_min_protocol},
      {"tls.hostssl_only", "TLS", check_hostssl_only},
      {"tls.session", "TLS", check_session_tls},
      {"auth.password_encryption", "Authentication", check_password_encryption},
      {"auth.listen_addresses", "Authentication", check_listen_addresses},
      {"hba.method", "Authentication", check_methods},
      {"hba.open_address", "Authentication", check_open_addresses},
      {"hba.all_all", "Authentication", check_all_all},
      {"hba.superuser_remote", "Authentication", check_superuser_remote},
      {"hba.errors", "Authentication", check_hba_errors},
      {"hba.first_match", "Authentication", check_first_match},
      {"timeouts.session_settings", "Timeouts", check_session_settings},
      {"timeouts.idle_in_transaction", "Timeouts", check_idle_in_transaction},
      {"timeouts.idle_session", "Timeouts", check_idle_session},
      {"timeouts.statement_timeout", "Timeouts", check_statement_timeout},
      {"logging.connections", "Logging",
       [](const AuditInput& in) {
         return check_bool_on(in, "log_connections", "connections are not logged: no trail of who came in");
       }},
      {"logging.disconnections", "Logging",
       [](const AuditInput& in) {
         return check_bool_on(in, "log_disconnections", "session ends are not logged: pool churn is invisible");
       }},
      {"logging.line_prefix", "Logging", check_line_prefix},
      {"logging.hostname", "Logging", check_log_hostname},
      {"memory.shared_buffers", "Memory", check_shared_buffers},
      {"memory.effective_cache_size", "Memory", check_effective_cache_size},
      {"memory.work_mem", "Memory", check_work_mem},
      {"memory.maintenance_work_mem", "Memory", check_maintenance_work_mem},
      {"memory.worst_case", "Memory", check_worst_case},
  };
  return rules;
}

std::vector<AuditFinding> evaluate(const AuditInput& input) {
  std::vector<AuditFinding> out;
  for (const auto& rule : audit_rules())
    for (auto& o : rule.check(input)) out.push_back({rule.id, rule.group, std::move(o)});
  return out;
}

}  // namespace pgmonkey::server
