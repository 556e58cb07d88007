// pgimport: streaming, all-or-nothing CSV import into a PostgreSQL table.
#include "common/cli.hpp"
#include "pgimport/import_command.hpp"

using namespace pgmonkey::app;

int main(int argc, char** argv) {
  CLI::App app{"Import a CSV file into a PostgreSQL table in one transaction", "pgimport"};
  describe(app,
           "  pgimport -c app.yaml --table sales data.csv\n"
           "  pgimport -c app.yaml --table '\"Sales\".orders' --truncate --encoding LATIN1 orders.csv\n"
           "  pgimport -c app.yaml --table staging.t --dry-run data.csv\n"
           "  pgimport -c app.yaml --table t --max-errors 100 data.csv   # bad rows to data.rejects.csv\n"
           "  pgimport -c app.yaml --table t --jobs 4 big.csv   # 4 sessions, still all or nothing\n"
           "  pgimport --write-import-config data.csv      # writes data.yaml for review\n"
           "  pgimport -c app.yaml --table t big.csv.gz               # gzip, zstd, bzip2, xz: by content\n"
           "  curl -s https://example.org/big.csv.zst | pgimport -c app.yaml --table t -\n"
           "  pgimport -c app.yaml --recover --dry-run   # list what interrupted parallel imports left\n");
  CommonOptions common;
  pgimport::Options opts;
  pgimport::setup(app, common, opts);
  return run(app, argc, argv, common, [&] { return pgimport::run(common, opts); });
}
