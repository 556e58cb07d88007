// pgconfig test: a real SELECT 1 for one connection type or all of them.
#include <fmt/format.h>

#include "common/output.hpp"
#include "core/json.hpp"
#include "db/connect_failure.hpp"
#include "pgconfig/commands.hpp"
#include "probe/probe.hpp"

namespace pgmonkey::app::pgconfig {
namespace {

void print_text(const probe::ProbeResult& r) {
  std::string tls = r.tls ? r.tls_protocol + " " + r.tls_cipher : std::string("not in use");
  out(fmt::format("{}: {}  server {}, user {}, database {}, TLS {}", config::to_string(r.type),
                  status_word(r.ok() ? "OK" : "FAIL"), r.server_version, r.user, r.database, tls));
  out(fmt::format("  connect {:.1f} ms, SELECT 1 {:.1f} ms, {} of {} session{} held at once", r.connect_ms, r.query_ms,
                  r.connections_held, r.connections_wanted, r.connections_wanted == 1 ? "" : "s"));
  if (r.type == config::ConnectionType::pool || r.type == config::ConnectionType::async_pool)
    out(std::string("  check_on_checkout: ") + (r.check_on_checkout ? "on (checked each session)" : "off"));
  for (const auto& s : r.settings)
    out(fmt::format("  setting {} = {} (requested '{}') {}", s.name, s.shown, s.requested,
                    status_word(s.ok() ? "OK" : "FAIL")));
  if (r.capacity) {
    const auto& c = *r.capacity;
    std::string left = c.limited_by == "role"       ? fmt::format("role CONNECTION LIMIT {}", c.role_limit)
                       : c.limited_by == "database" ? fmt::format("database CONNECTION LIMIT {}", c.database_limit)
                                                    : fmt::format("max_connections {} - reserved {} - in use {}",
                                                                  c.max_connections, c.reserved, c.in_use_by_others);
    out(fmt::format("  capacity: max_size {} {} ({} left: {})", c.pool_max_size, c.fits() ? "fits" : "does not fit",
                    c.available, left));
  }
  for (const auto& p : r.problems) out("  problem: " + p);
}

}  // namespace

CLI::App* setup_test(CLI::App& app, CommonOptions& common, TestOptions& opts) {
  auto* cmd = app.add_subcommand("test", "Connect with the config (or libpq's PG* environment) and run SELECT 1");
  add_connection_options(*cmd, common);
  cmd->add_option("--connection-type", opts.connection_type,
                  "normal, pool, async, async_pool or all (default: the file's connection_type)")
      ->check(CLI::IsMember({"normal", "pool", "async", "async_pool", "all"}));
  cmd->add_option("--wait", opts.wait_seconds,
                  "Retry for up to SECONDS while the server is not reachable yet (backoff from 0.5 s)")
      ->check(CLI::NonNegativeNumber);
  add_common_options(*cmd, common);
  return cmd;
}

int run_test(const CommonOptions& common, const TestOptions& opts) {
  auto cfg = load_config(common);
  std::vector<config::ConnectionType> types;
  if (opts.connection_type == "all") {
    types = {config::ConnectionType::normal, config::ConnectionType::pool, config::ConnectionType::async,
             config::ConnectionType::async_pool};
  } else if (opts.connection_type.empty()) {
    types = {cfg.type};
  } else {
    types = {*config::parse_connection_type(opts.connection_type)};
  }
  bool all_ok = true;
  auto results = core::Json::array();
  double wait = opts.wait_seconds;
  for (auto t : types) {
    probe::ProbeOptions po;
    po.type = t;
    po.wait_seconds = wait;
    po.on_retry = [](int attempt, const std::string& why, double delay) {
      info(fmt::format("attempt {} failed ({}); retrying in {:.1f} s", attempt, why, delay));
    };
    debug(std::string("testing ") + config::to_string(t));
    probe::ProbeResult r;
    try {
      r = probe::run_probe(cfg, po);
    } catch (const Error& e) {
      // Scripts still get a JSON document: the results so far and this failure.
      if (common.json()) {
        auto failed = core::Json::object();
        failed.set("connection_type", config::to_string(t)).set("ok", false).set("error", e.what());
        failed.set("hint", e.hint()).set("exit_code", static_cast<int>(e.code()));
        if (const auto* ce = dynamic_cast<const ConnectError*>(&e)) {
          failed.set("reason", db::reason(ce->kind()));
          auto sqlstate = db::connect_sqlstate(ce->what());
          if (!sqlstate.empty()) failed.set("sqlstate", sqlstate);
        }
        results.push(std::move(failed));
        auto j = core::Json::object();
        j.set("config", common.config.empty() ? core::Json() : core::Json(common.config))
            .set("ok", false)
            .set("results", std::move(results));
        out(j.dump());
      }
      throw;
    }
    wait = 0;  // the server answered once; later types need not wait again
    all_ok = all_ok && r.ok();
    for (const auto& w : r.warnings) warn(w);
    if (common.json())
      results.push(r.to_json());
    else
      print_text(r);
  }
  if (common.json()) {
    auto j = core::Json::object();
    j.set("config", common.config.empty() ? core::Json() : core::Json(common.config))
        .set("ok", all_ok)
        .set("results", std::move(results));
    out(j.dump());
  }
  return all_ok ? 0 : static_cast<int>(ExitCode::failed);
}

}  // namespace pgmonkey::app::pgconfig
