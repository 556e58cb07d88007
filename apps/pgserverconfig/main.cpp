// pgserverconfig: recommend server settings for a config, or audit a live server read-only.
#include <fmt/format.h>

#include "common/cli.hpp"
#include "common/output.hpp"
#include "pgserverconfig/report.hpp"
#include "server/audit.hpp"
#include "server/hints.hpp"

using namespace pgmonkey;
using namespace pgmonkey::app;

struct Options {
  bool audit = false;
  long long app_instances = 1;
  std::string client_cidr, ram, workload, fail_on = "fail";
  int cpus = 0;
};

void setup(CLI::App& app, CommonOptions& common, Options& o) {
  add_config_option(app, common);
  app.add_flag("--audit", o.audit, "Audit the live server the config connects to (read-only session)");
  app.add_option("--app-instances", o.app_instances, "Application instances sharing the server (default 1)")
      ->check(CLI::PositiveNumber);
  app.add_option("--client-cidr", o.client_cidr, "Network the application connects from, e.g. 10.0.4.0/24");
  app.add_option("--ram", o.ram, "Server RAM for PGTune-style sizing, e.g. 16GB");
  app.add_option("--cpus", o.cpus, "Server CPUs, used with --ram")->check(CLI::PositiveNumber);
  app.add_option("--workload", o.workload, "web, oltp, dw, desktop or mixed, used with --ram (default web)")
      ->check(CLI::IsMember(server::workload_names()));
  app.add_option("--fail-on", o.fail_on, "Exit 1 on findings at or above: warn or fail (default fail)")
      ->check(CLI::IsMember({"warn", "fail"}));
  add_common_options(app, common);
}

int run_tool(const CommonOptions& common, const Options& o) {
  server::HintOptions h;
  h.app_instances = o.app_instances;
  if (!o.client_cidr.empty() && !(h.client_cidr = server::parse_cidr(o.client_cidr)))
    throw UsageError("--client-cidr " + o.client_cidr + " is not an address or network", "e.g. 10.0.4.0/24");
  if (!o.ram.empty()) {
    auto kb = server::parse_size_kb(o.ram);
    if (!kb) throw UsageError("--ram " + o.ram + " is not a size from 1kB to 1024TB", "e.g. 16GB or 512MB");
    h.machine = server::Machine{*kb, o.cpus, server::parse_workload(o.workload.empty() ? "web" : o.workload).value()};
  } else if (o.cpus || !o.workload.empty()) {
    throw UsageError("--cpus and --workload need --ram", "e.g. --ram 16GB --cpus 4 --workload oltp");
  }
  auto cfg = load_config(common);
  if (!o.audit) {
    auto hints = server::make_hints(cfg, h);
    auto text = common.json() ? server::hints_to_json(hints, common.config).dump()
                              : server::hints_to_text(hints, common.config);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    out(text);
    return 0;
  }
  auto report = server::run_audit(cfg, {h.app_instances, h.client_cidr, h.machine});
  if (common.json())
    out(report.to_json().dump());
  else
    pgserverconfig::print_audit(report, o.fail_on);
  return report.has_findings(o.fail_on == "warn" ? server::Status::warn : server::Status::fail) ? 1 : 0;
}

int main(int argc, char** argv) {
  CLI::App app{"Recommend and audit PostgreSQL server settings for a connection config", "pgserverconfig"};
  describe(app,
           "  pgserverconfig -c app.yaml --app-instances 4 --client-cidr 10.0.4.0/24\n"
           "  pgserverconfig -c app.yaml --ram 16GB --cpus 8 --workload oltp\n"
           "  pgserverconfig -c app.yaml --audit --fail-on warn --format json\n");
  CommonOptions common;
  Options opts;
  setup(app, common, opts);
  return run(app, argc, argv, common, [&] { return run_tool(common, opts); });
}
