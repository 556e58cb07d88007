// `pgconfig test`: dispatch by connection type, and the result as JSON.
#include "probe/probe.hpp"

#include <algorithm>
#include <limits>

#include "core/strings.hpp"

#include "probe/runners.hpp"

namespace pgmonkey::probe {

int sessions_for(const config::Config& config, config::ConnectionType type) {
  if (type == config::ConnectionType::normal || type == config::ConnectionType::async) return 1;
  return static_cast<int>(std::max<long long>(1, config.pool_settings(type).min_size));
}

int connect_timeout_s(const db::ConnectParams& params, const char* env_timeout) {
  auto seconds = core::parse_int(core::trim(params.get("connect_timeout")));
  if ((!seconds || *seconds <= 0) && env_timeout) seconds = core::parse_int(core::trim(env_timeout));
  if (!seconds || *seconds <= 0) return kDefaultConnectTimeoutS;
  return static_cast<int>(std::clamp<long long>(*seconds, 2, std::numeric_limits<int>::max()));
}

db::ConnectParams with_connect_deadline(db::ConnectParams params, const char* env_timeout) {
  const std::string seconds = std::to_string(connect_timeout_s(params, env_timeout));
  for (std::size_t i = 0; i < params.keywords.size(); ++i) {
    if (params.keywords[i] == "connect_timeout") {
      params.values[i] = seconds;
      return params;
    }
  }
  params.keywords.push_back("connect_timeout");
  params.values.push_back(seconds);
  return params;
}

Capacity make_capacity(const CapacityRow& row, int ours, long long pool_max_size) {
  Capacity c;
  c.max_connections = row.max_connections;
  c.reserved = row.reserved;
  c.in_use_by_others = std::max<long long>(0, row.in_use - ours);
  c.server_available = row.max_connections - row.reserved - c.in_use_by_others;
  c.available = c.server_available;
  c.role_limit = row.role_limit;
  if (row.role_limit >= 0) {
    c.role_available = row.role_limit - std::max<long long>(0, row.role_in_use - ours);
    if (c.role_available < c.available) c.available = c.role_available, c.limited_by = "role";
  }
  c.database_limit = row.database_limit;
  if (row.database_limit >= 0) {
    c.database_available = row.database_limit - std::max<long long>(0, row.database_in_use - ours);
    if (c.database_available < c.available) c.available = c.database_available, c.limited_by = "database";
  }
  c.pool_max_size = pool_max_size;
  return c;
}

void judge(ProbeResult& r) {
  for (const auto& s : r.settings) {
    if (!s.ok())
      r.problems.push_back("setting " + s.name + " was set to '" + s.applied + "' but SHOW reads '" + s.shown + "'");
  }
  if (r.capacity && !r.capacity->fits()) {
    const auto& c = *r.capacity;
    std::string why = c.limited_by == "role" ? "the role's CONNECTION LIMIT " + std::to_string(c.role_limit) +
                                                   " leaves " + std::to_string(c.available)
                      : c.limited_by == "database"
                          ? "the database's CONNECTION LIMIT " + std::to_string(c.database_limit) + " leaves " +
                                std::to_string(c.available)
                          : "the server has " + std::to_string(c.available) + " connections left (max_connections " +
                                std::to_string(c.max_connections) + " - reserved " + std::to_string(c.reserved) +
                                " - in use " + std::to_string(c.in_use_by_others) + ")";
    r.warnings.push_back("max_size " + std::to_string(c.pool_max_size) + " does not fit: " + why);
  }
}

ProbeResult run_probe(const config::Config& config, const ProbeOptions& options) {
  if (options.type == config::ConnectionType::async || options.type == config::ConnectionType::async_pool)
    return run_async_probe(config, options);
  return run_sync_probe(config, options);
}

core::Json ProbeResult::to_json() const {
  auto j = core::Json::object();
  j.set("connection_type", config::to_string(type));
  j.set("ok", ok());
  j.set("connections_wanted", connections_wanted);
  j.set("connections_held", connections_held);
  j.set("server_version", server_version);
  j.set("server_version_num", server_version_num);
  j.set("connect_ms", connect_ms);
  j.set("query_ms", query_ms);
  auto tls_json = core::Json::object();
  tls_json.set("in_use", tls);
  tls_json.set("protocol", tls ? core::Json(tls_protocol) : core::Json());
  tls_json.set("cipher", tls ? core::Json(tls_cipher) : core::Json());
  j.set("tls", std::move(tls_json));
  j.set("user", user);
  j.set("database", database);
  if (type == config::ConnectionType::pool || type == config::ConnectionType::async_pool)
    j.set("check_on_checkout", check_on_checkout);
  auto s = core::Json::array();
  for (const auto& c : settings) {
    auto o = core::Json::object();
    o.set("name", c.name).set("requested", c.requested).set("applied", c.applied).set("shown", c.shown);
    o.set("ok", c.ok());
    s.push(std::move(o));
  }
  j.set("settings", std::move(s));
  if (capacity) {
    auto c = core::Json::object();
    c.set("max_connections", capacity->max_connections);
    c.set("reserved", capacity->reserved);
    c.set("in_use_by_others", capacity->in_use_by_others);
    c.set("available", capacity->available);
    c.set("limited_by", capacity->limited_by);
    c.set("role_limit", capacity->role_limit);
    c.set("database_limit", capacity->database_limit);
    c.set("pool_max_size", capacity->pool_max_size);
    c.set("fits", capacity->fits());
    j.set("capacity", std::move(c));
  }
  auto p = core::Json::array();
  for (const auto& x : problems) p.push(x);
  j.set("problems", std::move(p));
  auto w = core::Json::array();
  for (const auto& x : warnings) w.push(x);
  j.set("warnings", std::move(w));
  return j;
}

}  // namespace pgmonkey::probe
