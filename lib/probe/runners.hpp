// The two ways a probe connects: libpqxx sessions in threads, or libpq's non-blocking API.
#pragma once

#include "db/connect_params.hpp"
#include "probe/probe.hpp"

namespace pgmonkey::probe {

// normal (one session) and pool (min_size sessions opened concurrently, held at once).
ProbeResult run_sync_probe(const config::Config& config, const ProbeOptions& options);
// async (one session) and async_pool (min_size sessions driven by one poll() loop).
ProbeResult run_async_probe(const config::Config& config, const ProbeOptions& options);

// A connection test must end even against a server that accepts and never answers, where
// libpq without connect_timeout waits forever: this is the deadline when nothing sets one.
inline constexpr int kDefaultConnectTimeoutS = 30;

// The probe's connect deadline for each host, in seconds: connect_timeout from the config, else
// `env_timeout` (PGCONNECT_TIMEOUT), else kDefaultConnectTimeoutS (also for 0, "forever");
// at least 2, as libpq rounds it.
int connect_timeout_s(const db::ConnectParams& params, const char* env_timeout);

// `params` with connect_timeout set to connect_timeout_s(): libpq then keeps the same deadline
// for a blocking connect that the non-blocking probe keeps itself.
db::ConnectParams with_connect_deadline(db::ConnectParams params, const char* env_timeout);

// How many sessions a probe holds at once for this type: 1, or the pool's min_size (at least 1).
int sessions_for(const config::Config& config, config::ConnectionType type);

// Session facts every probe reads: user, database, server_version, server_version_num.
inline constexpr const char* kSessionInfoQuery =
    "SELECT current_user, current_database(), pg_catalog.current_setting('server_version'), "
    "pg_catalog.current_setting('server_version_num')";

// The server's connection budget: max_connections, reserved slots (reserved_connections
// exists from 16 on), client sessions in use; then the CONNECTION LIMIT of the login role and
// of the database (-1: none; superusers are exempt) with their sessions. An unprivileged role
// sees other roles' rows with a NULL backend_type: they count as client sessions. The limits
// apply to the session user (a SET ROLE or role= in options changes current_user only).
inline constexpr const char* kCapacityQuery =
    "WITH clients AS (SELECT usename, datname FROM pg_catalog.pg_stat_activity "
    "WHERE backend_type IS NULL OR backend_type = 'client backend'), "
    "me AS (SELECT rolsuper, rolconnlimit FROM pg_catalog.pg_roles WHERE rolname = session_user) "
    "SELECT pg_catalog.current_setting('max_connections')::bigint, "
    "pg_catalog.current_setting('superuser_reserved_connections')::bigint + "
    "COALESCE(pg_catalog.current_setting('reserved_connections', true)::bigint, 0), "
    "(SELECT count(*) FROM clients), "
    "(SELECT CASE WHEN rolsuper THEN -1 ELSE rolconnlimit END FROM me), "
    "(SELECT count(*) FROM clients WHERE usename = session_user), "
    "(SELECT CASE WHEN (SELECT rolsuper FROM me) THEN -1 ELSE datconnlimit END FROM pg_catalog.pg_database "
    "WHERE datname = pg_catalog.current_database()), "
    "(SELECT count(*) FROM clients WHERE datname = pg_catalog.current_database())";

// kCapacityQuery's row, as numbers.
struct CapacityRow {
  long long max_connections = 0, reserved = 0, in_use = 0;
  long long role_limit = -1, role_in_use = 0, database_limit = -1, database_in_use = 0;
};
// `ours` are the sessions this probe holds right now; they belong to the pool, not to others.
Capacity make_capacity(const CapacityRow& row, int ours, long long pool_max_size);

// Adds the capacity warning and the settings problems to `r`.
void judge(ProbeResult& r);

}  // namespace pgmonkey::probe
