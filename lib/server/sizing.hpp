// Memory sizing along PGTune's published formulas, from RAM, CPUs and the workload kind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/budget.hpp"

namespace pgmonkey::server {

enum class Workload { web, oltp, dw, desktop, mixed };

const char* to_string(Workload w);
std::optional<Workload> parse_workload(const std::string& s);
const std::vector<std::string>& workload_names();

// What the user told us about the machine (--ram, --cpus, --workload).
struct Machine {
  std::uint64_t ram_kb = 0;
  int cpus = 0;  // 0: not given
  Workload workload = Workload::web;
};

// PGTune's targets, in kB, for a server with `max_connections`.
struct SizingTargets {
  std::uint64_t shared_buffers_kb = 0;
  std::uint64_t effective_cache_size_kb = 0;
  std::uint64_t maintenance_work_mem_kb = 0;
  std::uint64_t work_mem_kb = 0;
  long long max_connections = 0;
  int worker_processes = 0;      // what work_mem was divided by besides connections
  std::string work_mem_formula;  // the arithmetic, for the output
};

SizingTargets pgtune_targets(const Machine& machine, long long max_connections);

// The one sizing the hints print and the audit judges against: PGTune's targets for the
// max_connections the connection budget recommends (not the live server's).
SizingTargets recommended_sizing(const Machine& machine, const ConnectionBudget& budget);

// The largest size taken for RAM or a setting: 1 PiB, in kB. Beyond any machine PostgreSQL runs
// on, and small enough that the sizing arithmetic (x 3, x connections) cannot overflow.
inline constexpr std::uint64_t kMaxSizeKb = std::uint64_t{1} << 40;

// "16GB", "512MB", "2048kB", "1TB" or a bare number of bytes; PostgreSQL's 1024-based units.
// Returns kB; nullopt when not a size or above kMaxSizeKb.
std::optional<std::uint64_t> parse_size_kb(const std::string& s);
// The largest unit that divides exactly: 4194304 -> "4GB", 1536 -> "1536kB"; PostgreSQL syntax.
std::string format_size_kb(std::uint64_t kb);
// A pg_settings memory value (setting + unit such as "8kB", "kB", "MB", "B") in kB; nullopt when
// not understood or above kMaxSizeKb.
std::optional<std::uint64_t> setting_to_kb(const std::string& setting, const std::string& unit);

}  // namespace pgmonkey::server
