// Hints from a config: connection budget, TLS, HBA lines, session settings, optional sizing.
#include "server/hints.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/strings.hpp"
#include "db/quote.hpp"

namespace pgmonkey::server {
namespace {

std::string quoted(const std::string& v) {
  return "'" + v + "'";
}

void add_tls(const config::Config& config, Hints& h) {
  const auto mode = sslmode_of(config);
  if (mode == "disable") {
    h.notes.push_back(
        "sslmode is disable: sessions travel unencrypted; use sslmode=require or verify-full "
        "and then ssl = on on the server");
    return;
  }
  h.conf.push_back({"ssl", "on", fmt::format("the config asks for TLS (sslmode={})", mode)});
  h.conf.push_back({"ssl_cert_file", quoted("server.crt"), "server certificate (relative to the data directory)"});
  h.conf.push_back({"ssl_key_file", quoted("server.key"), "its private key, mode 0600, owned by postgres"});
  if (has_client_cert(config))
    h.conf.push_back({"ssl_ca_file", quoted("root.crt"), "CA that signed the clients' certificates (clientcert)"});
  h.conf.push_back({"ssl_min_protocol_version", quoted("TLSv1.2"), "refuse TLS 1.0/1.1"});
  if (mode == "verify-ca" || mode == "verify-full")
    h.notes.push_back(
        fmt::format("sslmode={} makes the client check the server's certificate: the server's "
                    "certificate must be signed by the config's sslrootcert{}",
                    mode, mode == "verify-full" ? " and name the host the client connects to" : ""));
}

void add_hba(const config::Config& config, const HintOptions& options, Hints& h) {
  const auto user = config_user(config);
  const auto db = config_database(config);
  const bool ssl_only = requires_tls(config);
  // A host that is a socket folder (libpq: it starts with /) connects through a Unix socket,
  // which only `local` rules match; TLS does not apply there.
  const auto host = config.get("host");
  if (host && !host->empty() && host->front() == '/' && host->find(',') == std::string::npos) {
    h.hba.push_back({"",
                     fmt::format("local {} {} scram-sha-256", db.empty() ? "<database>" : hba_name(db),
                                 user.empty() ? "<user>" : hba_name(user)),
                     fmt::format("host {} is a Unix-socket folder: only local rules match it", *host)});
    if (user.empty() || db.empty())
      h.notes.push_back("the config leaves user or dbname to libpq's defaults: fill in <user>/<database>");
    return;
  }
  std::string address = options.client_cidr ? options.client_cidr->to_string() : kClientCidrPlaceholder;
  std::string line =
      fmt::format("{} {} {} {} scram-sha-256", ssl_only ? "hostssl" : "host", db.empty() ? "<database>" : hba_name(db),
                  user.empty() ? "<user>" : hba_name(user), address);
  std::string comment;
  if (ssl_only)
    comment = fmt::format("TLS only, as sslmode={} demands", sslmode_of(config));
  else
    comment = fmt::format("sslmode={} does not demand TLS; use hostssl once it does", sslmode_of(config));
  if (ssl_only && has_client_cert(config)) {
    line += " clientcert=verify-full";
    comment += "; the config has a client certificate, so the server checks it too";
  }
  if (!options.client_cidr) {
    // PostgreSQL reads <client-cidr> as a host name that never resolves, so a pasted line would
    // load and silently match nothing: it stays commented out until the address is filled in.
    line = "# " + line;
    comment += std::string("; commented out: replace ") + kClientCidrPlaceholder +
               " with the clients' network (or pass --client-cidr), then remove the leading '# '";
    h.notes.push_back(std::string("replace ") + kClientCidrPlaceholder +
                      " with the network the application connects from (e.g. 10.0.4.0/24), or pass "
                      "--client-cidr; the server's own address says nothing about its clients");
  }
  h.hba.push_back({"", line, comment});
  if (user.empty() || db.empty())
    h.notes.push_back("the config leaves user or dbname to libpq's defaults: fill in <user>/<database>");
}

void add_session(const config::Config& config, Hints& h) {
  std::set<std::string> seen;
  bool idle_tx = false;
  for (const auto* list : {&config.sync_settings, &config.async_settings}) {
    for (const auto& s : *list) {
      if (!seen.insert(s.key).second) continue;
      if (s.key == "idle_in_transaction_session_timeout") idle_tx = true;
      SessionAdvice a{s.key, s.value, "ok", ""};
      if (is_known_user_setting(s.key)) {
        a.comment =
            "a user setting: the application SETs it after connecting; server-wide it could be "
            "ALTER ROLE " +
            (config_user(config).empty() ? std::string("<user>") : db::quote_ident(config_user(config))) + " SET " +
            s.key + " = " + db::quote_literal(s.value);
      } else if (s.key.find('.') != std::string::npos) {
        a.comment = "a custom (dotted) setting: accepted by any server";
      } else {
        a.status = "unknown";
        a.comment =
            "not a user-settable PostgreSQL setting that pgmonkey knows; SET may fail "
            "(check with pgserverconfig --audit)";
      }
      h.session.push_back(std::move(a));
    }
  }
  if (!idle_tx)
    h.session.push_back({"idle_in_transaction_session_timeout", "60s", "advice",
                         "not set by the config: a session left idle inside a transaction holds locks and "
                         "blocks vacuum; add it to sync_settings/async_settings or set it server-wide"});
}

void add_sizing(const HintOptions& options, Hints& h) {
  if (!options.machine) return;
  const auto& m = *options.machine;
  auto t = recommended_sizing(m, h.budget);
  const auto ram = format_size_kb(m.ram_kb);
  const bool desktop = m.workload == Workload::desktop;
  h.conf.push_back({"shared_buffers", format_size_kb(t.shared_buffers_kb),
                    fmt::format("RAM {} / {} ({} workload)", ram, desktop ? 16 : 4, to_string(m.workload))});
  h.conf.push_back({"effective_cache_size", format_size_kb(t.effective_cache_size_kb),
                    fmt::format("RAM {} x {} (a planner hint, not an allocation)", ram, desktop ? "1/4" : "3/4")});
  h.conf.push_back({"maintenance_work_mem", format_size_kb(t.maintenance_work_mem_kb),
                    fmt::format("RAM {} / {}, at most 8GB", ram, m.workload == Workload::dw ? 8 : 16)});
  h.conf.push_back({"work_mem", format_size_kb(t.work_mem_kb), t.work_mem_formula});
  h.sizing = t;
}

}  // namespace

bool is_known_user_setting(const std::string& name) {
  // clang-format off
  static const std::set<std::string> names{
      "application_name", "array_nulls", "backslash_quote", "bytea_output", "check_function_bodies",
      "client_encoding", "client_min_messages", "constraint_exclusion", "cpu_index_tuple_cost", "cpu_operator_cost",
      "cpu_tuple_cost", "cursor_tuple_fraction", "datestyle", "default_statistics_target",
      "default_table_access_method", "default_tablespace", "default_text_search_config",
      "default_toast_compression", "default_transaction_deferrable", "default_transaction_isolation",
      "default_transaction_read_only", "effective_cache_size", "effective_io_concurrency", "enable_hashjoin",
      "enable_indexscan", "enable_mergejoin", "enable_nestloop", "enable_seqscan", "enable_partitionwise_join",
      "enable_partitionwise_aggregate", "extra_float_digits", "from_collapse_limit", "gin_fuzzy_search_limit",
      "hash_mem_multiplier", "idle_in_transaction_session_timeout", "idle_session_timeout", "intervalstyle", "jit",
      "join_collapse_limit", "lc_monetary", "lc_numeric", "lc_time", "lock_timeout",
      "maintenance_work_mem", "max_parallel_workers_per_gather", "parallel_leader_participation", "plan_cache_mode",
      "random_page_cost", "row_security", "search_path", "seq_page_cost", "standard_conforming_strings",
      "statement_timeout", "synchronous_commit", "temp_buffers", "temp_tablespaces", "timezone",
      "transaction_timeout", "work_mem", "xmlbinary", "xmloption"};
  // clang-format on
  return names.count(core::to_lower(name)) > 0;
}

std::string hba_name(const std::string& name) {
  static const std::set<std::string> keywords{"all", "sameuser", "samerole", "samegroup", "replication"};
  bool plain = !name.empty() && !keywords.count(name);
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      plain = false;
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Hints make_hints(const config::Config& config, const HintOptions& options) {
  Hints h;
  h.budget = connection_budget(config, options.app_instances);
  h.conf.push_back({"max_connections", std::to_string(h.budget.max_connections), h.budget.explanation});
  h.conf.push_back({"superuser_reserved_connections", std::to_string(h.budget.reserved),
                    "kept free so a DBA can still connect when the pools are full"});
  h.conf.push_back({"password_encryption", quoted("scram-sha-256"),
                    "new and changed passwords are stored as SCRAM; md5 is deprecated"});
  add_tls(config, h);
  h.conf.push_back({"log_connections", "on", "who connected from where, for audits and debugging"});
  h.conf.push_back({"log_disconnections", "on", "session length; shows pool churn"});
  h.conf.push_back({"log_line_prefix", quoted("%m [%p] %q%u@%d app=%a client=%h "),
                    "time, pid, user, database, application, client host"});
  add_sizing(options, h);
  add_hba(config, options, h);
  add_session(config, h);
  if (!options.machine)
    h.notes.push_back(
        "no memory advice: pass --ram SIZE (and --cpus N --workload web|oltp|dw|desktop|mixed) "
        "for PGTune-style shared_buffers, effective_cache_size, work_mem, maintenance_work_mem");
  return h;
}

std::string hints_to_text(const Hints& h, const std::string& config_path) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("# postgresql.conf: recommended for " + config_path + " (pgserverconfig)");
  for (const auto& c : h.conf) {
    line("");
    for (const auto& part : core::split(c.comment, '\n')) line("# " + part);
    line(c.name + " = " + c.value);
  }
  line("");
  line("# pg_hba.conf: first match wins, so put these above broader rules");
  line("# TYPE  DATABASE  USER  ADDRESS  METHOD  [OPTIONS]");
  for (const auto& l : h.hba) {
    line("# " + l.comment);
    line(l.value);
  }
  line("# scram-sha-256 only: never trust, password or md5");
  line("");
  line("# Session settings (the application sets these after connecting)");
  for (const auto& s : h.session) {
    line("# " + s.comment);
    line(fmt::format("#   {} = {}{}", s.name, quoted(s.value),
                     s.status == "ok"       ? ""
                     : s.status == "advice" ? "   (suggested)"
                                            : "   (check)"));
  }
  if (!h.notes.empty()) {
    line("");
    for (const auto& n : h.notes) line("# note: " + n);
  }
  return out;
}

core::Json hints_to_json(const Hints& h, const std::string& config_path) {
  auto j = core::Json::object();
  j.set("config", config_path);
  auto b = core::Json::object();
  auto pools = core::Json::array();
  for (const auto& p : h.budget.pools) {
    auto o = core::Json::object();
    o.set("source", p.source).set("max_size", p.size);
    pools.push(std::move(o));
  }
  b.set("pools", std::move(pools)).set("per_instance", h.budget.per_instance);
  b.set("app_instances", h.budget.app_instances).set("app_total", h.budget.app_total);
  b.set("reserved", h.budget.reserved).set("headroom", h.budget.headroom);
  b.set("max_connections", h.budget.max_connections).set("explanation", h.budget.explanation);
  j.set("connection_budget", std::move(b));
  auto lines = [](const std::vector<HintLine>& v, bool named) {
    auto a = core::Json::array();
    for (const auto& l : v) {
      auto o = core::Json::object();
      if (named)
        o.set("name", l.name).set("value", l.value);
      else
        o.set("line", l.value);
      o.set("comment", l.comment);
      a.push(std::move(o));
    }
    return a;
  };
  j.set("postgresql_conf", lines(h.conf, true));
  j.set("pg_hba_conf", lines(h.hba, false));
  auto s = core::Json::array();
  for (const auto& a : h.session) {
    auto o = core::Json::object();
    o.set("name", a.name).set("value", a.value).set("status", a.status).set("comment", a.comment);
    s.push(std::move(o));
  }
  j.set("session_settings", std::move(s));
  if (h.sizing) {
    auto z = core::Json::object();
    z.set("shared_buffers_kb", h.sizing->shared_buffers_kb);
    z.set("effective_cache_size_kb", h.sizing->effective_cache_size_kb);
    z.set("maintenance_work_mem_kb", h.sizing->maintenance_work_mem_kb);
    z.set("work_mem_kb", h.sizing->work_mem_kb);
    z.set("work_mem_formula", h.sizing->work_mem_formula);
    j.set("sizing", std::move(z));
  } else {
    j.set("sizing", nullptr);
  }
  auto n = core::Json::array();
  for (const auto& x : h.notes) n.push(x);
  j.set("notes", std::move(n));
  return j;
}

}  // namespace pgmonkey::server
