// The connection budget: pools x instances + reserved + headroom, with its arithmetic.
#include "server/budget.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace pgmonkey::server {
namespace {

constexpr long long kSuperuserReserved = 3;  // PostgreSQL's default, enough for a DBA to get in
constexpr long long kMinHeadroom = 5;
constexpr long long kHeadroomPercent = 20;

}  // namespace

ConnectionBudget connection_budget(const config::Config& config, long long app_instances) {
  ConnectionBudget b;
  b.app_instances = std::max<long long>(1, app_instances);
  if (config.pool.present || config.type == config::ConnectionType::pool)
    b.pools.push_back({"pool_settings.max_size", config.pool.max_size});
  if (config.async_pool.present || config.type == config::ConnectionType::async_pool)
    b.pools.push_back({"async_pool_settings.max_size", config.async_pool.max_size});
  if (b.pools.empty()) b.pools.push_back({std::string("connection_type ") + config::to_string(config.type), 1});
  std::vector<std::string> terms;
  for (const auto& p : b.pools) {
    b.per_instance += p.size;
    terms.push_back(fmt::format("{} ({})", p.size, p.source));
  }
  b.app_total = b.per_instance * b.app_instances;
  b.reserved = kSuperuserReserved;
  // Room for psql, monitoring, migrations and the overlap of old and new instances in a deploy.
  b.headroom = std::max(kMinHeadroom, (b.app_total * kHeadroomPercent + 99) / 100);
  b.max_connections = b.app_total + b.reserved + b.headroom;
  std::string sum;
  for (std::size_t i = 0; i < terms.size(); ++i) sum += (i ? " + " : "") + terms[i];
  b.explanation = fmt::format(
      "{}{} per app instance x {} instance{} (--app-instances) = {}\n+ {} superuser_reserved_connections "
      "+ {} headroom ({}% of {}, at least {}: admin sessions, monitoring, rolling deploys) = {}",
      sum, terms.size() > 1 ? fmt::format(" = {}", b.per_instance) : "", b.app_instances,
      b.app_instances == 1 ? "" : "s", b.app_total, b.reserved, b.headroom, kHeadroomPercent, b.app_total, kMinHeadroom,
      b.max_connections);
  return b;
}

std::string sslmode_of(const config::Config& config) {
  return config.get("sslmode").value_or("prefer");
}

int sslmode_rank(const config::Config& config) {
  static const std::vector<std::string> order{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
  auto it = std::find(order.begin(), order.end(), sslmode_of(config));
  return it == order.end() ? 2 : static_cast<int>(it - order.begin());
}

bool requires_tls(const config::Config& config) {
  return sslmode_rank(config) >= kSslRequire;
}

bool has_client_cert(const config::Config& config) {
  return config.get("sslcert").has_value() || config.get("sslkey").has_value();
}

std::string config_user(const config::Config& config) {
  return config.get("user").value_or("");
}

std::string config_database(const config::Config& config) {
  return config.get("dbname").value_or(config_user(config));
}

}  // namespace pgmonkey::server
