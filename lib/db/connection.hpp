// The one connection path: a libpqxx connection opened from keyword/value arrays. This header
// and its source are the one place that knows libpqxx 6 (Debian 12) from 7 (Debian 13).
#pragma once

#include <pqxx/version>
#if PQXX_VERSION_MAJOR >= 7
#include <pqxx/connection>
#else
#include <pqxx/connection_base>
#include <pqxx/connectionpolicy>
#endif
#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>
#include <pqxx/transaction_base>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "db/connect_params.hpp"

struct pg_conn;

namespace pgmonkey::db {

#if PQXX_VERSION_MAJOR >= 7
// libpqxx 7 never reconnects on its own. The session is opened with PQconnectdbParams here and
// handed over, which keeps the raw handle (COPY, TLS details, cancel) and our error
// classification; libpqxx 7's own key/value constructor needs C++20.
class Connection final : public pqxx::connection {
 public:
  // Throws ConnectError with a classified kind and hint.
  explicit Connection(ConnectParams params);
  ~Connection() noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // For the few paths libpqxx does not serve (raw CSV COPY, TLS details).
  pg_conn* raw() const noexcept { return raw_; }
  const ConnectParams& params() const noexcept { return params_; }

 private:
  Connection(pg_conn* raw, const ConnectParams& params);
  pg_conn* raw_;
  ConnectParams params_;
};

// A repeatable-read, read-only transaction: one snapshot for a whole export.
using ReadOnlySnapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::write_policy::read_only>;
#else
// Opens the session with PQconnectdbParams and never reconnects behind the caller's back:
// a lost connection in the middle of a job must surface as an error, not a new session.
class ParamsPolicy final : public pqxx::connectionpolicy {
 public:
  explicit ParamsPolicy(ConnectParams params);
  handle do_startconnect(handle orig) override;
  handle do_disconnect(handle orig) noexcept override;
  pg_conn* raw() const noexcept { return raw_; }
  const ConnectParams& params() const noexcept { return params_; }

 private:
  ConnectParams params_;
  pg_conn* raw_ = nullptr;
  bool started_ = false;
};

class Connection final : public pqxx::connection_base {
 public:
  // Throws ConnectError with a classified kind and hint.
  explicit Connection(ConnectParams params);
  ~Connection() noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // For the few paths libpqxx 6.4 cannot serve (raw CSV COPY, TLS details).
  pg_conn* raw() const noexcept { return policy_.raw(); }
  const ConnectParams& params() const noexcept { return policy_.params(); }

 private:
  ParamsPolicy policy_;
};

// A repeatable-read, read-only transaction: one snapshot for a whole export.
using ReadOnlySnapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;
#endif

// A statement with $1, $2 ... parameters, in the form each libpqxx version wants.
template <typename... Args>
pqxx::result exec_params(pqxx::transaction_base& tx, std::string_view sql, const Args&... args) {
#if PQXX_VERSION_MAJOR >= 7
  return tx.exec(sql, pqxx::params{args...});
#else
  return tx.exec_params(std::string(sql), args...);
#endif
}

// The libpqxx major version this toolkit was built with (6 or 7).
int libpqxx_major() noexcept;

// Connects; `tool_name` becomes fallback_application_name.
std::unique_ptr<Connection> connect(const config::Config& config, const std::string& tool_name);

// Applies session settings with set_config(name, value, false), the function form of SET, so
// names and values travel as parameters. Returns each value as the server now shows it.
// Throws JobError naming the setting that failed.
std::vector<std::string> apply_session_settings(pqxx::connection_base& conn,
                                                const std::vector<config::Setting>& settings);

// The config's sync_settings for a bulk COPY (pgimport, pgexport): all but statement_timeout and
// PostgreSQL 17's transaction_timeout. An application's per-query limit (the config template
// sets 30 s) would cut a long load or dump short, which psql's \copy never does; a server or
// role default still applies.
std::vector<config::Setting> bulk_session_settings(const config::Config& config);

// The SQLSTATE of a libpqxx error. libpqxx 6.4 leaves sqlstate() empty for the errors it maps to
// a subclass, so the class stands for its code (class-wide ones give the class code, e.g. 22000).
std::string sqlstate_of(const pqxx::sql_error& e);

// Runs `fn`, turning libpqxx exceptions into the toolkit's error hierarchy.
void translate_errors(const std::function<void()>& fn);

}  // namespace pgmonkey::db
