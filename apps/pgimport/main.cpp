// pgimport: Import a CSV file into a PostgreSQL table (not yet implemented).
#include "common/cli.hpp"
#include "core/error.hpp"

using namespace pgmonkey::app;

int main(int argc, char** argv) {
  CLI::App app{"Import a CSV file into a PostgreSQL table", "pgimport"};
  describe(app, "  pgimport -c app.yaml\n");
  CommonOptions common;
  add_config_option(app, common, false);
  add_common_options(app, common);
  return run(app, argc, argv, common, []() -> int {
    throw pgmonkey::UsageError("pgimport is not yet implemented", "follow the project's issues for its progress");
  });
}
