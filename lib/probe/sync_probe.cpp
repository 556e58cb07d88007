// normal and pool probes: libpqxx sessions, opened concurrently for a pool and held at once.
#include <libpq-fe.h>
#include <pqxx/nontransaction>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>

#include "core/error.hpp"
#include "db/connection.hpp"
#include "probe/retry.hpp"
#include "probe/runners.hpp"

namespace pgmonkey::probe {
namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

struct Opened {
  std::unique_ptr<db::Connection> conn;
  double connect_ms = 0;
};

Opened open_one(const db::ConnectParams& params, const ProbeOptions& options) {
  Opened o;
  with_retries(
      options.wait_seconds,
      [&] {
        auto t0 = clock_type::now();
        o.conn = std::make_unique<db::Connection>(params);
        o.connect_ms = ms_since(t0);
      },
      options.on_retry);
  return o;
}

}  // namespace

ProbeResult run_sync_probe(const config::Config& config, const ProbeOptions& options) {
  ProbeResult r;
  r.type = options.type;
  r.connections_wanted = sessions_for(config, options.type);
  const bool is_pool = options.type == config::ConnectionType::pool;
  r.check_on_checkout = is_pool && config.pool.check_on_checkout;
  const auto params =
      with_connect_deadline(db::make_params(config, options.tool_name), std::getenv("PGCONNECT_TIMEOUT"));

  // The first session proves the server is there (and waits for it with --wait); the rest of
  // the pool then opens concurrently, one thread each, and all are held until the end.
  std::vector<Opened> sessions;
  sessions.push_back(open_one(params, options));
  std::vector<std::future<Opened>> pending;
  for (int i = 1; i < r.connections_wanted; ++i)
    pending.push_back(std::async(std::launch::async, [&params] {
      Opened o;
      auto t0 = clock_type::now();
      o.conn = std::make_unique<db::Connection>(params);
      o.connect_ms = ms_since(t0);
      return o;
    }));
  for (auto& f : pending) {
    try {
      sessions.push_back(f.get());
    } catch (const ConnectError& e) {
      r.problems.push_back(std::string("pool session failed to open: ") + e.what() +
                           (e.hint().empty() ? "" : " (" + e.hint() + ")"));
    }
  }
  r.connections_held = static_cast<int>(sessions.size());

  db::translate_errors([&] {
    bool first = true;
    for (auto& s : sessions) {
      r.connect_ms = std::max(r.connect_ms, s.connect_ms);
      auto applied = db::apply_session_settings(*s.conn, config.sync_settings);
      pqxx::nontransaction tx(*s.conn, "probe");
      if (r.check_on_checkout) tx.exec("SELECT 1");  // what the pool does when handing it out
      auto t0 = clock_type::now();
      auto one = tx.exec("SELECT 1");
      r.query_ms = std::max(r.query_ms, ms_since(t0));
      if (one.size() != 1 || one[0][0].as<int>() != 1) r.problems.push_back("SELECT 1 did not return 1");
      if (!first) continue;
      first = false;
      for (std::size_t i = 0; i < config.sync_settings.size(); ++i) {
        const auto& want = config.sync_settings[i];
        auto shown = db::exec_params(tx, "SELECT pg_catalog.current_setting($1)", want.key);
        r.settings.push_back({want.key, want.value, applied[i], shown[0][0].c_str()});
      }
      auto info = tx.exec(kSessionInfoQuery);
      r.user = info[0][0].c_str();
      r.database = info[0][1].c_str();
      r.server_version = info[0][2].c_str();
      r.server_version_num = info[0][3].as<int>();
      PGconn* raw = s.conn->raw();
      r.tls = PQsslInUse(raw) == 1;
      if (r.tls) {
        const char* proto = PQsslAttribute(raw, "protocol");
        const char* cipher = PQsslAttribute(raw, "cipher");
        r.tls_protocol = proto ? proto : "";
        r.tls_cipher = cipher ? cipher : "";
      }
      if (is_pool) {
        auto cap = tx.exec(kCapacityQuery);
        CapacityRow row;
        row.max_connections = cap[0][0].as<long long>();
        row.reserved = cap[0][1].as<long long>();
        row.in_use = cap[0][2].as<long long>();
        row.role_limit = cap[0][3].as<long long>(-1);
        row.role_in_use = cap[0][4].as<long long>();
        row.database_limit = cap[0][5].as<long long>(-1);
        row.database_in_use = cap[0][6].as<long long>();
        r.capacity = make_capacity(row, r.connections_held, config.pool.max_size);
      }
    }
  });
  judge(r);
  return r;
}

}  // namespace pgmonkey::probe
