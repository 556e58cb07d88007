// pgexport: Export a PostgreSQL table to a CSV file (not yet implemented).
#include "common/cli.hpp"
#include "core/error.hpp"

using namespace pgmonkey::app;

int main(int argc, char** argv) {
  CLI::App app{"Export a PostgreSQL table to a CSV file", "pgexport"};
  describe(app, "  pgexport -c app.yaml\n");
  CommonOptions common;
  add_config_option(app, common, false);
  add_common_options(app, common);
  return run(app, argc, argv, common, []() -> int {
    throw pgmonkey::UsageError("pgexport is not yet implemented", "follow the project's issues for its progress");
  });
}
