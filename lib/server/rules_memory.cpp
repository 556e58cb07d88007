// Memory rules (with --ram): the hints' PGTune targets and the worst case.
#include <algorithm>

#include <fmt/format.h>

#include "server/rule_helpers.hpp"

namespace pgmonkey::server::checks {
namespace {

std::optional<Outcomes> no_machine(const AuditInput& in) {
  if (in.machine) return std::nullopt;
  return one(Status::skip, "", "", "pass --ram SIZE (and --cpus, --workload) to check memory");
}

SizingTargets targets(const AuditInput& in) {
  return recommended_sizing(*in.machine, in.budget);
}

Outcomes compare_size(const AuditInput& in, const std::string& name, std::uint64_t target, double low, double high,
                      const std::string& why_low, const std::string& why_high) {
  auto kb = kb_setting(in.snapshot, name);
  if (!kb) return unreadable_size(in, name, format_size_kb(target));
  auto current = format_size_kb(*kb);
  auto recommended = format_size_kb(target);
  const double ratio = target ? static_cast<double>(*kb) / static_cast<double>(target) : 1;
  const auto fix = alter_system(in, name, lit(recommended));
  if (ratio < low) return one(Status::warn, current, recommended, why_low, fix);
  if (ratio > high) return one(Status::warn, current, recommended, why_high, fix);
  return one(Status::ok, current, recommended, "near PGTune's target");
}

Outcomes check_shared_buffers(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  return compare_size(in, "shared_buffers", targets(in).shared_buffers_kb, 0.5, 1.6,
                      "well below PGTune's target: more reads go to the OS cache or disk",
                      "above 40% of RAM: starves the OS cache and work_mem");
}

Outcomes check_effective_cache_size(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  return compare_size(in, "effective_cache_size", targets(in).effective_cache_size_kb, 0.5, 1.34,
                      "the planner assumes little is cached and avoids index scans",
                      "larger than RAM: the planner assumes caching that cannot happen");
}

Outcomes check_maintenance_work_mem(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  return compare_size(in, "maintenance_work_mem", targets(in).maintenance_work_mem_kb, 0.25, 4,
                      "vacuum and index builds will be slow", "each autovacuum worker may use this much");
}

Outcomes check_work_mem(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  auto t = targets(in);
  auto kb = kb_setting(in.snapshot, "work_mem");
  if (!kb) return unreadable_size(in, "work_mem", format_size_kb(t.work_mem_kb));
  // The target is sized for the recommended max_connections (as the hints print it); the risk is
  // judged against the live one, which is what the server admits today.
  const auto sessions =
      static_cast<std::uint64_t>(std::max<long long>(1, int_setting(in.snapshot, "max_connections", 100)));
  auto current =
      fmt::format("{} (x {} connections = {})", format_size_kb(*kb), sessions, format_size_kb(*kb * sessions));
  auto recommended = format_size_kb(t.work_mem_kb);
  const auto fix = alter_system(in, "work_mem", lit(recommended));
  if (*kb * sessions > in.machine->ram_kb)
    return one(Status::fail, current, recommended, "one sort per connection at once would exceed RAM", fix);
  if (*kb > t.work_mem_kb * 4)
    return one(Status::warn, current, recommended, "far above PGTune's target: " + t.work_mem_formula, fix);
  return one(Status::ok, current, recommended, t.work_mem_formula);
}

Outcomes check_worst_case(const AuditInput& in) {
  if (auto skip = no_machine(in)) return *skip;
  const auto& s = in.snapshot;
  auto sb = kb_setting(s, "shared_buffers"), wm = kb_setting(s, "work_mem"),
       mwm = kb_setting(s, "maintenance_work_mem");
  if (!sb) return unreadable_size(in, "shared_buffers", "");
  if (!wm) return unreadable_size(in, "work_mem", "");
  if (!mwm) return unreadable_size(in, "maintenance_work_mem", "");
  const auto conns = static_cast<std::uint64_t>(int_setting(s, "max_connections", 100));
  const auto workers = static_cast<std::uint64_t>(int_setting(s, "autovacuum_max_workers", 3));
  auto av = kb_setting(s, "autovacuum_work_mem");  // -1: uses maintenance_work_mem
  const std::uint64_t av_kb = av ? *av : *mwm;
  const std::uint64_t total = *sb + conns * *wm + workers * av_kb + *mwm;
  const auto ram = in.machine->ram_kb;
  auto current = fmt::format("{} = shared_buffers {} + {} x work_mem {} + {} autovacuum x {} + maintenance {}",
                             format_size_kb(total), format_size_kb(*sb), conns, format_size_kb(*wm), workers,
                             format_size_kb(av_kb), format_size_kb(*mwm));
  auto recommended = "< 90% of RAM " + format_size_kb(ram);
  const double pct = 100.0 * static_cast<double>(total) / static_cast<double>(ram);
  const auto fix = "lower work_mem or max_connections (see memory.work_mem, capacity.max_connections)";
  if (pct > 100)
    return one(Status::fail, current, recommended, fmt::format("{:.0f}% of RAM: the OOM killer can strike", pct), fix);
  if (pct > 90) return one(Status::warn, current, recommended, fmt::format("{:.0f}% of RAM at worst", pct), fix);
  return one(Status::ok, current, recommended, fmt::format("{:.0f}% of RAM at worst", pct));
}

}  // namespace

std::vector<Rule> memory_rules() {
  return {
      {"memory.shared_buffers", "Memory", check_shared_buffers, "shared_buffers"},
      {"memory.effective_cache_size", "Memory", check_effective_cache_size, "effective_cache_size"},
      {"memory.work_mem", "Memory", check_work_mem, "work_mem"},
      {"memory.maintenance_work_mem", "Memory", check_maintenance_work_mem, "maintenance_work_mem"},
      {"memory.worst_case", "Memory", check_worst_case, ""},
  };
}

}  // namespace pgmonkey::server::checks
