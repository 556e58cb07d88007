// Grouping what interrupted parallel imports left behind, and what --recover does with it.
#include "transfer/leftovers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <tuple>

namespace pgmonkey::transfer {
namespace {

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string format_utc(long long seconds, const char* pattern) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return std::to_string(seconds);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, pattern, &tm);
  return n ? std::string(buf, n) : std::to_string(seconds);
}

bool same_run(const LoadRun& a, const LoadRun& b) {
  return a.pid == b.pid && a.started == b.started;
}

}  // namespace

const char* to_string(RecoverAction a) {
  switch (a) {
    case RecoverAction::commit:
      return "commit";
    case RecoverAction::rollback:
      return "rollback";
    case RecoverAction::drop:
      return "drop";
  }
  return "drop";
}

int LeftoverRun::part_count() const {
  int n = 0;
  for (const auto& p : parts) n = std::max(n, p.parts);
  return n;
}

Resolution LeftoverRun::resolution() const {
  if (parts.empty()) return Resolution::commit;
  std::vector<int> numbers;
  for (const auto& p : parts) numbers.push_back(p.part);
  return resolve_run(part_count(), numbers);
}

std::string LeftoverRun::reason() const {
  if (!conflict.empty()) return conflict;
  if (parts.empty() && tables.empty()) return "nothing of it is left: it finished meanwhile";
  std::string why;
  if (!parts.empty()) {
    const int n = part_count();
    const bool has_first = parts.front().part == 1;
    if (resolution() == Resolution::rollback)
      why = fmt::format("{} of {} parts {} prepared when it stopped: roll {} back", parts.size(), n,
                        parts.size() == 1 ? "was" : "were", parts.size() == 1 ? "it" : "them");
    else if (n == 1)
      why = "its one part was prepared: commit it";
    else if (has_first)
      why = fmt::format("all {} parts were prepared: commit them", n);
    else
      why = fmt::format("part 1 of {} was already committed: commit the other {}", n,
                        plural(parts.size(), "part", "parts"));
  }
  if (!tables.empty()) {
    if (!why.empty()) why += "; ";
    why += tables.size() == 1 ? "its new table was never renamed: drop it"
                              : "its new tables were never renamed: drop them";
  }
  return why;
}

std::vector<RecoverStep> LeftoverRun::steps() const {
  std::vector<RecoverStep> steps;
  if (!conflict.empty()) return steps;
  if (resolution() == Resolution::commit) {
    for (const auto& p : parts) steps.push_back({RecoverAction::commit, p.gid, {}, {}, p.owner});
  } else {
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
      steps.push_back({RecoverAction::rollback, it->gid, {}, {}, it->owner});
  }
  for (const auto& t : tables) steps.push_back({RecoverAction::drop, {}, t.schema, t.name, t.owner});
  return steps;
}

Leftovers group_leftovers(const std::string& database, const std::vector<PreparedXactRow>& xacts,
                          const std::vector<HiddenTableRow>& tables) {
  Leftovers out;
  out.database = database;
  auto run_of = [&](const LoadRun& run) -> LeftoverRun& {
    for (auto& r : out.runs)
      if (same_run(r.run, run)) return r;
    out.runs.push_back({});
    out.runs.back().run = run;
    return out.runs.back();
  };
  std::map<std::string, int> elsewhere;
  for (const auto& x : xacts) {
    const auto part = parse_gid(x.gid);
    if (!part) continue;
    if (x.database != database) {
      ++elsewhere[x.database];
      continue;
    }
    run_of(part->run).parts.push_back({x.gid, part->part, part->parts, x.owner});
  }
  for (const auto& t : tables) {
    const auto run = parse_hidden_table_name(t.name);
    if (run) run_of(*run).tables.push_back({t.schema, t.name, t.owner});
  }
  for (auto& r : out.runs) {
    std::sort(r.parts.begin(), r.parts.end(), [](const auto& a, const auto& b) { return a.part < b.part; });
    std::sort(r.tables.begin(), r.tables.end(),
              [](const auto& a, const auto& b) { return std::tie(a.schema, a.name) < std::tie(b.schema, b.name); });
    for (const auto& p : r.parts)
      if (p.parts != r.part_count())
        r.conflict = fmt::format(
            "its prepared transactions disagree on how many parts the run had ({} and {}): "
            "finish them by hand with COMMIT PREPARED or ROLLBACK PREPARED",
            p.parts, r.part_count());
  }
  std::sort(out.runs.begin(), out.runs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.run.started, a.run.pid) < std::tie(b.run.started, b.run.pid);
  });
  out.other_databases.assign(elsewhere.begin(), elsewhere.end());
  return out;
}

std::string describe_run(const LoadRun& run) {
  return fmt::format("pid {} started {}", run.pid, format_utc(run.started, "%Y-%m-%d %H:%M:%S UTC"));
}

std::string started_iso(const LoadRun& run) {
  return format_utc(run.started, "%Y-%m-%dT%H:%M:%SZ");
}

std::string leftover_warning(const std::vector<LeftoverRun>& runs) {
  std::size_t parts = 0;
  std::size_t tables = 0;
  std::vector<std::string> dead;
  for (const auto& r : runs) {
    if (r.alive) continue;
    parts += r.parts.size();
    tables += r.tables.size();
    dead.push_back(describe_run(r.run));
  }
  if (dead.empty()) return {};
  std::string what;
  if (parts) what = plural(parts, "prepared transaction", "prepared transactions");
  if (parts && tables) what += " and ";
  if (tables) what += plural(tables, "hidden table", "hidden tables");
  std::string by = dead.size() == 1
                       ? "an interrupted parallel pgimport (run " + dead.front() + ")"
                       : fmt::format("{} interrupted parallel pgimport runs ({})", dead.size(), fmt::join(dead, "; "));
  return "found " + what + " left by " + by + "; run 'pgimport --recover'";
}

}  // namespace pgmonkey::transfer
