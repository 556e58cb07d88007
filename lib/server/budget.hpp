// How many server connections a config's applications hold at most, and the sslmode it asks for.
#pragma once

#include <string>
#include <vector>

#include "config/model.hpp"

namespace pgmonkey::server {

struct PoolShare {
  std::string source;  // "pool_settings.max_size", or "connection_type normal" for a single session
  long long size = 0;
};

// The recommended max_connections and how it was computed.
struct ConnectionBudget {
  std::vector<PoolShare> pools;
  long long per_instance = 0;  // sum of the pools
  long long app_instances = 1;
  long long app_total = 0;  // per_instance x app_instances
  long long reserved = 0;   // superuser_reserved_connections we recommend
  long long headroom = 0;   // admin sessions, monitoring, rolling deploys
  long long max_connections = 0;
  std::string explanation;  // the arithmetic in words
};

// Sums pool_settings.max_size and async_pool_settings.max_size (each when present or when the
// connection_type uses it); a config without pools holds one session per instance.
ConnectionBudget connection_budget(const config::Config& config, long long app_instances);

// sslmode ranks: disable < allow < prefer < require < verify-ca < verify-full; unset = prefer.
int sslmode_rank(const config::Config& config);
std::string sslmode_of(const config::Config& config);
constexpr int kSslRequire = 3;
bool requires_tls(const config::Config& config);
// A client certificate is configured (sslcert or sslkey), so clientcert=verify-full makes sense.
bool has_client_cert(const config::Config& config);
// The user and database libpq will use ("" when left to libpq's defaults).
std::string config_user(const config::Config& config);
std::string config_database(const config::Config& config);

}  // namespace pgmonkey::server
