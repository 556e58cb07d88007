// pgserverconfig: Recommend and audit PostgreSQL server settings for a connection config (not yet implemented).
#include "common/cli.hpp"
#include "core/error.hpp"

using namespace pgmonkey::app;

int main(int argc, char** argv) {
  CLI::App app{"Recommend and audit PostgreSQL server settings for a connection config", "pgserverconfig"};
  describe(app, "  pgserverconfig -c app.yaml\n");
  CommonOptions common;
  add_config_option(app, common, false);
  add_common_options(app, common);
  return run(app, argc, argv, common, []() -> int {
    throw pgmonkey::UsageError("pgserverconfig is not yet implemented", "follow the project's issues for its progress");
  });
}
