// async and async_pool probes: libpq's non-blocking API, every session driven by one poll() loop.
#include <libpq-fe.h>
#include <poll.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/connect_failure.hpp"
#include "db/connect_params.hpp"
#include "probe/retry.hpp"
#include "probe/runners.hpp"

namespace pgmonkey::probe {
namespace {

using clock_type = std::chrono::steady_clock;

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Query {
  std::string sql;
  std::vector<std::string> params;
};

// One session's way through connect → queries, one step per readiness event.
class Session {
 public:
  // `connect_limit_s` > 0 bounds the connecting phase, as connect_timeout does for a blocking
  // connect (the non-blocking API leaves that to the caller).
  Session(const db::ConnectParams& params, std::vector<Query> queries, double connect_limit_s)
      : params_(params), queries_(std::move(queries)), connect_limit_s_(connect_limit_s) {}
  ~Session() {
    if (conn_) PQfinish(conn_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    started_ = clock_type::now();
    if (connect_limit_s_ > 0)
      connect_deadline_ =
          started_ + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(connect_limit_s_));
    auto k = params_.keyword_ptrs();
    auto v = params_.value_ptrs();
    conn_ = PQconnectStartParams(k.data(), v.data(), 0);
    if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) return fail_connect();
    poll_status_ = PGRES_POLLING_WRITING;
  }

  bool done() const { return state_ == State::done || state_ == State::failed; }
  // While connecting with a limit: when it runs out.
  std::optional<clock_type::time_point> connect_deadline() const {
    if (state_ != State::connecting) return std::nullopt;
    return connect_deadline_;
  }
  // The connect_timeout ran out: fail as a blocking connect would.
  void expire_connect() {
    connect_error_ = db::classify_connect_failure(
        fmt::format("timeout expired after {:g} s while connecting", connect_limit_s_), params_);
    state_ = State::failed;
  }
  bool failed() const { return state_ == State::failed; }
  int fd() const { return conn_ ? PQsocket(conn_) : -1; }

  short events() const {
    if (state_ == State::connecting) return poll_status_ == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    return flushing_ ? static_cast<short>(POLLIN | POLLOUT) : static_cast<short>(POLLIN);
  }

  // Called when poll() reports the socket ready (or on a timeout to re-check).
  void step() {
    if (state_ == State::connecting) {
      poll_status_ = PQconnectPoll(conn_);
      if (poll_status_ == PGRES_POLLING_FAILED) return fail_connect();
      if (poll_status_ == PGRES_POLLING_OK) {
        connected_ = clock_type::now();
        if (PQsetnonblocking(conn_, 1) != 0) return fail_query("cannot switch to non-blocking mode");
        state_ = State::querying;
        send_next();
      }
      return;
    }
    if (state_ != State::querying) return;
    if (flushing_) {
      int f = PQflush(conn_);
      if (f < 0) return fail_query(PQerrorMessage(conn_));
      flushing_ = f == 1;
    }
    if (PQconsumeInput(conn_) == 0) return fail_query(PQerrorMessage(conn_));
    while (state_ == State::querying && !PQisBusy(conn_)) {
      PGresult* res = PQgetResult(conn_);
      if (!res) {  // the current query is complete
        durations_ms_.push_back(ms_between(last_sent_, clock_type::now()));
        ++current_;
        send_next();
        continue;
      }
      auto status = PQresultStatus(res);
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        std::string msg = core::trim(PQresultErrorMessage(res));
        PQclear(res);
        return fail_query(msg);
      }
      std::vector<std::string> row;
      if (PQntuples(res) > 0)
        for (int c = 0; c < PQnfields(res); ++c) row.emplace_back(PQgetvalue(res, 0, c));
      results_.push_back(std::move(row));
      PQclear(res);
    }
  }

  const std::vector<std::vector<std::string>>& results() const { return results_; }
  double connect_ms() const { return ms_between(started_, connected_); }
  // How long each finished query took, in order.
  const std::vector<double>& durations_ms() const { return durations_ms_; }
  PGconn* raw() const { return conn_; }
  const std::optional<ConnectError>& connect_error() const { return connect_error_; }
  const std::string& query_error() const { return query_error_; }

 private:
  enum class State { connecting, querying, done, failed };

  void send_next() {
    if (current_ >= queries_.size()) {
      state_ = State::done;
      return;
    }
    const auto& q = queries_[current_];
    std::vector<const char*> values;
    for (const auto& p : q.params) values.push_back(p.c_str());
    last_sent_ = clock_type::now();
    if (!PQsendQueryParams(conn_, q.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                           nullptr, 0))
      return fail_query(PQerrorMessage(conn_));
    int f = PQflush(conn_);
    if (f < 0) return fail_query(PQerrorMessage(conn_));
    flushing_ = f == 1;
  }

  void fail_connect() {
    connect_error_ = db::classify_connect_failure(conn_ ? PQerrorMessage(conn_) : "out of memory", params_);
    state_ = State::failed;
  }

  void fail_query(const std::string& message) {
    query_error_ = core::trim(message);
    state_ = State::failed;
  }

  const db::ConnectParams& params_;
  std::vector<Query> queries_;
  double connect_limit_s_ = 0;
  std::optional<clock_type::time_point> connect_deadline_;
  std::size_t current_ = 0;
  PGconn* conn_ = nullptr;
  State state_ = State::connecting;
  PostgresPollingStatusType poll_status_ = PGRES_POLLING_WRITING;
  bool flushing_ = false;
  clock_type::time_point started_, connected_, last_sent_;
  std::vector<double> durations_ms_;
  std::vector<std::vector<std::string>> results_;
  std::optional<ConnectError> connect_error_;
  std::string query_error_;
};

// Drives every session until all are done or the deadline passes.
void run_loop(std::vector<std::unique_ptr<Session>>& sessions, double timeout_s) {
  const auto deadline = clock_type::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Session*> owners;
    for (auto& s : sessions) {
      if (s->done()) continue;
      fds.push_back({s->fd(), s->events(), 0});
      owners.push_back(s.get());
    }
    if (fds.empty()) return;
    const auto now = clock_type::now();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    if (left <= 0)
      throw ConnectError(ConnectFailure::timeout, "timed out waiting for the server",
                         "the server did not answer; check host, port and connect_timeout");
    long long wait_ms = std::min<long long>(left, 1000);
    for (Session* s : owners)
      if (auto d = s->connect_deadline())
        wait_ms = std::min<long long>(
            wait_ms,
            std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(*d - now).count() + 1));
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
    if (n < 0 && errno != EINTR) throw JobError("poll() failed", std::strerror(errno));
    const auto after = clock_type::now();
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents)
        owners[i]->step();
      else if (auto d = owners[i]->connect_deadline(); d && after >= *d)
        owners[i]->expire_connect();
    }
  }
}

std::vector<Query> plan_queries(const config::Config& config, bool first, bool check_on_checkout) {
  std::vector<Query> q;
  for (const auto& s : config.async_settings)
    q.push_back({"SELECT pg_catalog.set_config($1, $2, false)", {s.key, s.value}});
  if (check_on_checkout) q.push_back({"SELECT 1", {}});
  q.push_back({"SELECT 1", {}});
  if (first) {
    for (const auto& s : config.async_settings) q.push_back({"SELECT pg_catalog.current_setting($1)", {s.key}});
    q.push_back({kSessionInfoQuery, {}});
    q.push_back({kCapacityQuery, {}});  // runs before the other sessions open: ours = 1
  }
  return q;
}

}  // namespace

ProbeResult run_async_probe(const config::Config& config, const ProbeOptions& options) {
  ProbeResult r;
  r.type = options.type;
  r.connections_wanted = sessions_for(config, options.type);
  const bool is_pool = options.type == config::ConnectionType::async_pool;
  r.check_on_checkout = is_pool && config.async_pool.check_on_checkout;
  const auto params =
      with_connect_deadline(db::make_params(config, options.tool_name), std::getenv("PGCONNECT_TIMEOUT"));
  // libpq applies connect_timeout to each host of a multi-host list in turn; here it is one
  // budget of that many times the hosts for the whole attempt. The queries then get 30 s more.
  std::string hosts = params.get("host").empty() ? params.get("hostaddr") : params.get("host");
  auto count = static_cast<double>(std::max<std::size_t>(1, core::split(hosts, ',').size()));
  const double connect_limit_s = connect_timeout_s(params, nullptr) * count;
  const double timeout_s = connect_limit_s + 30;

  std::vector<std::unique_ptr<Session>> sessions;
  // First the one session that proves the server is there (retrying with --wait) ...
  with_retries(
      options.wait_seconds,
      [&] {
        sessions.clear();
        sessions.push_back(
            std::make_unique<Session>(params, plan_queries(config, true, r.check_on_checkout), connect_limit_s));
        sessions.back()->start();
        run_loop(sessions, timeout_s);
        if (sessions.back()->connect_error()) throw *sessions.back()->connect_error();
      },
      options.on_retry);
  // ... then the rest of the pool, all connecting at once in one event loop.
  for (int i = 1; i < r.connections_wanted; ++i) {
    sessions.push_back(
        std::make_unique<Session>(params, plan_queries(config, false, r.check_on_checkout), connect_limit_s));
    sessions.back()->start();
  }
  run_loop(sessions, timeout_s);

  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const auto& s = *sessions[i];
    if (s.connect_error()) {
      r.problems.push_back(std::string("pool session failed to open: ") + s.connect_error()->what());
      continue;
    }
    ++r.connections_held;
    r.connect_ms = std::max(r.connect_ms, s.connect_ms());
    if (!s.query_error().empty()) {
      r.problems.push_back("query failed: " + s.query_error());
      continue;
    }
    const auto& res = s.results();
    const std::size_t n_set = config.async_settings.size();
    const std::size_t select_at = n_set + (r.check_on_checkout ? 1 : 0);
    if (res.size() <= select_at || res[select_at].empty() || res[select_at][0] != "1")
      r.problems.push_back("SELECT 1 did not return 1");
    if (select_at < s.durations_ms().size()) r.query_ms = std::max(r.query_ms, s.durations_ms()[select_at]);
    if (i != 0) continue;
    for (std::size_t k = 0; k < n_set; ++k) {
      const auto& want = config.async_settings[k];
      r.settings.push_back({want.key, want.value, res[k].at(0), res[select_at + 1 + k].at(0)});
    }
    const auto& info = res[select_at + 1 + n_set];
    r.user = info.at(0);
    r.database = info.at(1);
    r.server_version = info.at(2);
    r.server_version_num = static_cast<int>(core::parse_int(info.at(3)).value_or(0));
    r.tls = PQsslInUse(s.raw()) == 1;
    if (r.tls) {
      const char* proto = PQsslAttribute(s.raw(), "protocol");
      const char* cipher = PQsslAttribute(s.raw(), "cipher");
      r.tls_protocol = proto ? proto : "";
      r.tls_cipher = cipher ? cipher : "";
    }
    if (is_pool) {
      const auto& cap = res[select_at + 2 + n_set];
      auto num = [&](std::size_t k, long long fallback) { return core::parse_int(cap.at(k)).value_or(fallback); };
      CapacityRow row{num(0, 0), num(1, 0), num(2, 0), num(3, -1), num(4, 0), num(5, -1), num(6, 0)};
      r.capacity = make_capacity(row, 1, config.async_pool.max_size);
    }
  }
  judge(r);
  return r;
}

}  // namespace pgmonkey::probe
