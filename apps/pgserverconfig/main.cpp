// pgserverconfig: recommend server settings for a config, or audit a live server read-only.
#include <fmt/format.h>

#include <algorithm>

#include "common/cli.hpp"
#include "common/output.hpp"
#include "core/strings.hpp"
#include "pgserverconfig/report.hpp"
#include "server/audit.hpp"
#include "server/hints.hpp"

using namespace pgmonkey;
using namespace pgmonkey::app;

// Numbers and choices are read as text and checked in run_tool, so a bad value gets our message
// and, with --format json, the failure document (CLI11's checks run before --format is known).
struct Options {
  bool audit = false;
  std::string app_instances = "1", cpus, client_cidr, ram, workload, fail_on = "fail";
};

const std::vector<std::string> kFailOn{"warn", "fail", "never"};

long long whole_number(const std::string& flag, const std::string& text, long long max) {
  auto n = core::parse_int(text);
  if (!n || *n < 1 || *n > max)
    throw UsageError(flag + " " + text + " is not a whole number from 1 to " + std::to_string(max),
                     "e.g. " + flag + " 4");
  return *n;
}

void setup(CLI::App& app, CommonOptions& common, Options& o) {
  add_connection_options(app, common);
  app.add_flag("--audit", o.audit, "Audit the live server the config connects to (read-only session)");
  app.add_option("--app-instances", o.app_instances, "Application instances sharing the server (default 1)")
      ->type_name("INT");
  app.add_option("--client-cidr", o.client_cidr, "Network the application connects from, e.g. 10.0.4.0/24");
  app.add_option("--ram", o.ram, "Server RAM for PGTune-style sizing, e.g. 16GB");
  app.add_option("--cpus", o.cpus, "Server CPUs, used with --ram")->type_name("INT");
  // The {choices} in the type name keep --help and the shell completion listing them.
  app.add_option("--workload", o.workload, "web, oltp, dw, desktop or mixed, used with --ram (default web)")
      ->type_name("TEXT:{" + core::join(server::workload_names(), ",") + "}");
  app.add_option("--fail-on", o.fail_on,
                 "Exit 1 on findings at or above: warn or fail (default fail); never: report only")
      ->type_name("TEXT:{" + core::join(kFailOn, ",") + "}");
  add_common_options(app, common);
}

int run_tool(const CommonOptions& common, const Options& o) {
  server::HintOptions h;
  h.app_instances = whole_number("--app-instances", o.app_instances, 100000);
  const int cpus = o.cpus.empty() ? 0 : static_cast<int>(whole_number("--cpus", o.cpus, 4096));
  if (std::find(kFailOn.begin(), kFailOn.end(), o.fail_on) == kFailOn.end())
    throw UsageError("--fail-on " + o.fail_on + " is not warn, fail or never", "e.g. --fail-on warn");
  if (!o.workload.empty() && !server::parse_workload(o.workload))
    throw UsageError("--workload " + o.workload + " is not one of " + core::join(server::workload_names(), ", "),
                     "e.g. --workload oltp");
  if (!o.client_cidr.empty() && !(h.client_cidr = server::parse_cidr(o.client_cidr)))
    throw UsageError("--client-cidr " + o.client_cidr + " is not an address or network", "e.g. 10.0.4.0/24");
  if (!o.ram.empty()) {
    auto kb = server::parse_size_kb(o.ram);
    if (!kb) throw UsageError("--ram " + o.ram + " is not a size from 1kB to 1024TB", "e.g. 16GB or 512MB");
    h.machine = server::Machine{*kb, cpus, server::parse_workload(o.workload.empty() ? "web" : o.workload).value()};
  } else if (cpus || !o.workload.empty()) {
    throw UsageError("--cpus and --workload need --ram", "e.g. --ram 16GB --cpus 4 --workload oltp");
  }
  if (!o.audit && common.config.empty())
    throw UsageError("recommendations need a config: -c CONFIG",
                     "or audit the server libpq's PG* environment "
                     "reaches: pgserverconfig --audit");
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
  if (o.fail_on == "never") return 0;
  return report.has_findings(o.fail_on == "warn" ? server::Status::warn : server::Status::fail) ? 1 : 0;
}

int main(int argc, char** argv) {
  CLI::App app{"Recommend and audit PostgreSQL server settings for a connection config", "pgserverconfig"};
  describe(app,
           "  pgserverconfig -c app.yaml --app-instances 4 --client-cidr 10.0.4.0/24\n"
           "  pgserverconfig -c app.yaml --ram 16GB --cpus 8 --workload oltp\n"
           "  pgserverconfig -c app.yaml --audit --fail-on warn --format json\n"
           "  pgserverconfig -c app.yaml --audit --fail-on never   # report only\n"
           "  pgserverconfig --audit -h db.example -U app -W   # no config: psql's flags\n");
  CommonOptions common;
  Options opts;
  setup(app, common, opts);
  return run(app, argc, argv, common, [&] { return run_tool(common, opts); });
}
