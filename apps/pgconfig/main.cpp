// pgconfig: create, validate and test pgmonkey connection configs, and generate starter code.
#include "common/cli.hpp"
#include "pgconfig/commands.hpp"

using namespace pgmonkey::app;

int main(int argc, char** argv) {
  CLI::App app{"Create, validate and test PostgreSQL connection configs", "pgconfig"};
  describe(app,
           "  pgconfig create -c app.yaml --from-env\n"
           "  pgconfig validate -c app.yaml --strict\n"
           "  pgconfig test -c app.yaml --connection-type all --wait 30\n"
           "  pgconfig test -d postgresql://app@db.example/appdb -W      # no config: psql's flags\n"
           "  PGHOST=db.example PGUSER=app pgconfig test -v              # libpq's environment, sources shown\n"
           "  pgconfig create -c app.yaml --from-dsn postgresql://app@db.example:5432/appdb\n"
           "  pgconfig generate-code -c app.yaml --language cpp --connection-type pool -o pool.cpp\n");
  app.require_subcommand(1);
  CommonOptions common;
  pgconfig::CreateOptions create;
  pgconfig::ValidateOptions validate;
  pgconfig::TestOptions test;
  pgconfig::GenerateOptions generate;
  auto* create_cmd = pgconfig::setup_create(app, common, create);
  auto* validate_cmd = pgconfig::setup_validate(app, common, validate);
  auto* test_cmd = pgconfig::setup_test(app, common, test);
  auto* generate_cmd = pgconfig::setup_generate(app, common, generate);
  return run(app, argc, argv, common, [&] {
    if (*create_cmd) return pgconfig::run_create(common, create);
    if (*validate_cmd) return pgconfig::run_validate(common, validate);
    if (*test_cmd) return pgconfig::run_test(common, test);
    if (*generate_cmd) return pgconfig::run_generate(common, generate);
    return 2;
  });
}
