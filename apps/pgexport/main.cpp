// pgexport: stream a PostgreSQL table to a CSV file, atomically, in the dialect and encoding asked.
#include "common/cli.hpp"
#include "pgexport/export_command.hpp"

using namespace pgmonkey::app;

int main(int argc, char** argv) {
  CLI::App app{"Export a PostgreSQL table to a CSV file", "pgexport"};
  describe(app,
           "  pgexport -c app.yaml --table public.orders              # writes orders.csv\n"
           "  pgexport -c app.yaml -t orders -o orders.csv.zst         # zstd, by the suffix\n"
           "  pgexport -c app.yaml -t orders --jobs 2                  # two sessions, one snapshot\n"
           "  pgexport -c app.yaml -t orders -o - --compress gzip > orders.csv.gz\n"
           "  pgexport -c app.yaml -t orders -o orders.csv --force --delimiter ';' --encoding latin1 --crlf\n");
  CommonOptions common;
  pgexport::Options opts;
  pgexport::setup(app, common, opts);
  return run(app, argc, argv, common, [&] { return pgexport::run(common, opts); });
}
