// PGTune-style sizing: the published formulas on known inputs, and size parsing/formatting.
#include <doctest/doctest.h>

#include "server/sizing.hpp"

using namespace pgmonkey::server;

TEST_CASE("pgtune targets for a 16GB web server") {
  Machine m{16ull * 1024 * 1024, 8, Workload::web};
  auto t = pgtune_targets(m, 100);
  CHECK(t.shared_buffers_kb == 4ull * 1024 * 1024);
  CHECK(t.effective_cache_size_kb == 12ull * 1024 * 1024);
  CHECK(t.maintenance_work_mem_kb == 1024 * 1024);
  CHECK(t.worker_processes == 8);
  // (16GB - 4GB) / ((100 + 8) * 3) = 12582912 / 324
  CHECK(t.work_mem_kb == 38836);
}

TEST_CASE("workload changes the divisors") {
  Machine m{16ull * 1024 * 1024, 16, Workload::dw};
  auto dw = pgtune_targets(m, 40);
  CHECK(dw.maintenance_work_mem_kb == 2ull * 1024 * 1024);  // RAM / 8
  CHECK(dw.worker_processes == 16);
  CHECK(dw.work_mem_kb == static_cast<std::uint64_t>(12582912.0 / ((40 + 16) * 3) / 2));
  m.workload = Workload::desktop;
  auto desk = pgtune_targets(m, 20);
  CHECK(desk.shared_buffers_kb == 1024 * 1024);               // RAM / 16
  CHECK(desk.effective_cache_size_kb == 4ull * 1024 * 1024);  // RAM / 4
  m.workload = Workload::mixed;
  CHECK(pgtune_targets(m, 100).work_mem_kb == static_cast<std::uint64_t>(12582912.0 / ((100 + 16) * 3) / 2));
}

TEST_CASE("work_mem has a 4MB floor and maintenance_work_mem an 8GB cap") {
  Machine small{1024 * 1024, 2, Workload::oltp};
  auto t = pgtune_targets(small, 500);
  CHECK(t.work_mem_kb == 4096);
  CHECK(t.work_mem_formula.find("4MB floor") != std::string::npos);
  Machine big{256ull * 1024 * 1024, 32, Workload::dw};
  CHECK(pgtune_targets(big, 100).maintenance_work_mem_kb == 8ull * 1024 * 1024);
}

TEST_CASE("sizes parse and format in PostgreSQL units") {
  CHECK(parse_size_kb("16GB") == 16ull * 1024 * 1024);
  CHECK(parse_size_kb("512MB") == 512 * 1024);
  CHECK(parse_size_kb("1.5GB") == 1536 * 1024);
  CHECK(parse_size_kb(" 2048kB ") == 2048);
  CHECK_FALSE(parse_size_kb("lots").has_value());
  CHECK_FALSE(parse_size_kb("16XB").has_value());
  CHECK_FALSE(parse_size_kb("-1GB").has_value());
  CHECK(format_size_kb(4ull * 1024 * 1024) == "4GB");
  CHECK(format_size_kb(1536) == "1536kB");
  CHECK(format_size_kb(64 * 1024) == "64MB");
  CHECK(setting_to_kb("16384", "8kB") == 131072);
  CHECK(setting_to_kb("4096", "kB") == 4096);
  CHECK(setting_to_kb("16", "MB") == 16384);
  CHECK_FALSE(setting_to_kb("-1", "kB").has_value());
  CHECK(parse_workload("OLTP") == Workload::oltp);
  CHECK_FALSE(parse_workload("batch").has_value());
}

TEST_CASE("sizes beyond 1 PiB are refused, not cast with undefined behaviour") {
  CHECK_FALSE(parse_size_kb("61092269061t").has_value());  // was shared_buffers = 0
  CHECK_FALSE(parse_size_kb("99999999999999999999999").has_value());
  CHECK(parse_size_kb("1024TB") == std::optional<std::uint64_t>(kMaxSizeKb));
  CHECK_FALSE(parse_size_kb("1025TB").has_value());
  CHECK_FALSE(setting_to_kb("9223372036854775807", "MB").has_value());
  CHECK_FALSE(setting_to_kb("1", "99999999999999999999kB").has_value());  // dereferenced an empty optional
  CHECK(setting_to_kb("16384", "8kB") == std::optional<std::uint64_t>(131072));
}
