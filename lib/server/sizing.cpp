// PGTune's memory formulas (pgtune.leopard.in.ua, Linux): written from its published rules.
#include "server/sizing.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/strings.hpp"

namespace pgmonkey::server {
namespace {

constexpr std::uint64_t kMB = 1024;  // in kB
constexpr std::uint64_t kGB = 1024 * kMB;

// PGTune's default max_worker_processes when it is not raised for many CPUs.
constexpr int kDefaultWorkers = 8;

}  // namespace

const std::vector<std::string>& workload_names() {
  static const std::vector<std::string> names{"web", "oltp", "dw", "desktop", "mixed"};
  return names;
}

const char* to_string(Workload w) {
  switch (w) {
    case Workload::web:
      return "web";
    case Workload::oltp:
      return "oltp";
    case Workload::dw:
      return "dw";
    case Workload::desktop:
      return "desktop";
    case Workload::mixed:
      return "mixed";
  }
  return "web";
}

std::optional<Workload> parse_workload(const std::string& s) {
  const auto& names = workload_names();
  auto it = std::find(names.begin(), names.end(), core::to_lower(s));
  if (it == names.end()) return std::nullopt;
  return static_cast<Workload>(it - names.begin());
}

SizingTargets pgtune_targets(const Machine& m, long long max_connections) {
  SizingTargets t;
  t.max_connections = std::max<long long>(1, max_connections);
  const bool desktop = m.workload == Workload::desktop;
  // A desktop shares the machine with everything else; servers give PostgreSQL a quarter.
  t.shared_buffers_kb = desktop ? m.ram_kb / 16 : m.ram_kb / 4;
  t.effective_cache_size_kb = desktop ? m.ram_kb / 4 : m.ram_kb * 3 / 4;
  t.maintenance_work_mem_kb = std::min(m.workload == Workload::dw ? m.ram_kb / 8 : m.ram_kb / 16, 8 * kGB);
  // With 4+ CPUs PGTune raises max_worker_processes to the CPU count; parallel workers sort too.
  t.worker_processes = m.cpus >= 4 ? m.cpus : kDefaultWorkers;
  // Each session may run ~3 sorts/hashes at once; what shared_buffers leaves is shared out.
  const double per_session = static_cast<double>(m.ram_kb - t.shared_buffers_kb) /
                             (static_cast<double>(t.max_connections + t.worker_processes) * 3.0);
  int divisor = 1;
  if (m.workload == Workload::dw || m.workload == Workload::mixed) divisor = 2;
  if (desktop) divisor = 6;
  auto work_mem = static_cast<std::uint64_t>(per_session / divisor);
  t.work_mem_kb = std::max<std::uint64_t>(work_mem, 4 * kMB);  // below 4MB simple sorts spill
  t.work_mem_formula = fmt::format("(RAM {} - shared_buffers {}) / ((max_connections {} + workers {}) x 3){}{}",
                                   format_size_kb(m.ram_kb), format_size_kb(t.shared_buffers_kb), t.max_connections,
                                   t.worker_processes, divisor > 1 ? fmt::format(" / {}", divisor) : "",
                                   work_mem < 4 * kMB ? ", raised to the 4MB floor" : "");
  return t;
}

SizingTargets recommended_sizing(const Machine& machine, const ConnectionBudget& budget) {
  return pgtune_targets(machine, budget.max_connections);
}

std::optional<std::uint64_t> parse_size_kb(const std::string& text) {
  std::string s = core::trim(text);
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  auto number = core::parse_number(s.substr(0, i));
  if (!number || *number <= 0) return std::nullopt;
  std::string unit = core::to_lower(core::trim(s.substr(i)));
  double kb = 0;
  if (unit.empty() || unit == "b")
    kb = *number / 1024.0;
  else if (unit == "kb" || unit == "k")
    kb = *number;
  else if (unit == "mb" || unit == "m")
    kb = *number * kMB;
  else if (unit == "gb" || unit == "g")
    kb = *number * kGB;
  else if (unit == "tb" || unit == "t")
    kb = *number * kGB * 1024.0;
  else
    return std::nullopt;
  // Checked before the cast: a double beyond the integer's range converts with undefined behaviour.
  if (!(kb >= 1) || kb > static_cast<double>(kMaxSizeKb)) return std::nullopt;
  return static_cast<std::uint64_t>(kb);
}

std::string format_size_kb(std::uint64_t kb) {
  if (kb == 0) return "0";
  if (kb % (kGB * 1024) == 0) return fmt::format("{}TB", kb / (kGB * 1024));
  if (kb % kGB == 0) return fmt::format("{}GB", kb / kGB);
  if (kb % kMB == 0) return fmt::format("{}MB", kb / kMB);
  return fmt::format("{}kB", kb);
}

std::optional<std::uint64_t> setting_to_kb(const std::string& setting, const std::string& unit) {
  auto value = core::parse_int(setting);
  if (!value || *value < 0) return std::nullopt;
  std::size_t i = 0;
  while (i < unit.size() && std::isdigit(static_cast<unsigned char>(unit[i]))) ++i;
  auto factor = i > 0 ? core::parse_int(unit.substr(0, i)) : std::optional<long long>(1);
  if (!factor) return std::nullopt;  // a unit such as "99999999999999999999kB"
  std::string base = unit.substr(i);
  double bytes_per = 0;
  if (base == "B")
    bytes_per = 1;
  else if (base == "kB")
    bytes_per = 1024;
  else if (base == "MB")
    bytes_per = 1024.0 * 1024;
  else if (base == "GB")
    bytes_per = 1024.0 * 1024 * 1024;
  else
    return std::nullopt;
  const double kb = static_cast<double>(*value) * static_cast<double>(*factor) * bytes_per / 1024.0;
  if (kb > static_cast<double>(kMaxSizeKb)) return std::nullopt;  // before the cast, as above
  return static_cast<std::uint64_t>(kb);
}

}  // namespace pgmonkey::server
