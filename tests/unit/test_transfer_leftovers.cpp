// What interrupted parallel imports left, grouped by run, and what --recover does with it.
#include <doctest/doctest.h>

#include "transfer/leftovers.hpp"

using namespace pgmonkey::transfer;

namespace {

PreparedXactRow xact(long long pid, int part, int parts, const std::string& db = "app") {
  return {make_gid({{pid, 1796000000}, part, parts}), "loader", db};
}

HiddenTableRow hidden(long long pid, const std::string& table, const std::string& schema = "public") {
  return {schema, hidden_table_name(table, {pid, 1796000000}), "loader"};
}

std::vector<std::string> gids_of(const std::vector<RecoverStep>& steps, RecoverAction action) {
  std::vector<std::string> out;
  for (const auto& s : steps)
    if (s.action == action) out.push_back(s.gid);
  return out;
}

}  // namespace

TEST_CASE("leftovers are grouped by run; foreign gids and look-alike tables are not ours") {
  const auto found = group_leftovers(
      "app",
      {xact(20, 2, 3),
       {"other-app-1", "x", "app"},
       xact(10, 1, 2),
       xact(20, 1, 3),
       {"pgmonkey-pgimport:1", "x", "app"}},
      {hidden(10, "orders", "sales"), {"public", "pgmonkey_load_notes", "x"}, {"public", "orders", "x"}});
  REQUIRE(found.runs.size() == 2);
  CHECK(found.database == "app");
  CHECK(found.other_databases.empty());
  const auto& first = found.runs[0];  // same start: ordered by pid
  CHECK(first.run.pid == 10);
  REQUIRE(first.parts.size() == 1);
  CHECK(first.parts[0].owner == "loader");
  REQUIRE(first.tables.size() == 1);
  CHECK(first.tables[0].schema == "sales");
  CHECK_FALSE(first.alive);
  const auto& second = found.runs[1];
  CHECK(second.run.pid == 20);
  REQUIRE(second.parts.size() == 2);
  CHECK(second.parts[0].part == 1);  // sorted by part
  CHECK(second.parts[1].part == 2);
  CHECK(second.tables.empty());
}

TEST_CASE("gids prepared in another database are counted there, not touched here") {
  const auto found =
      group_leftovers("app", {xact(1, 1, 2, "other"), xact(1, 2, 2, "other"), xact(2, 1, 1, "third")}, {});
  CHECK(found.runs.empty());
  CHECK_FALSE(found.empty());
  REQUIRE(found.other_databases.size() == 2);
  CHECK(found.other_databases[0] == std::pair<std::string, int>{"other", 2});
  CHECK(found.other_databases[1] == std::pair<std::string, int>{"third", 1});
  CHECK(group_leftovers("app", {}, {}).empty());
}

TEST_CASE("all parts prepared: committed in part order, then the hidden table dropped") {
  const auto found = group_leftovers("app", {xact(7, 3, 3), xact(7, 1, 3), xact(7, 2, 3)}, {hidden(7, "t")});
  REQUIRE(found.runs.size() == 1);
  const auto& run = found.runs[0];
  CHECK(run.part_count() == 3);
  CHECK(run.resolution() == Resolution::commit);
  CHECK(run.reason() == "all 3 parts were prepared: commit them; its new table was never renamed: drop it");
  const auto steps = run.steps();
  REQUIRE(steps.size() == 4);
  CHECK(gids_of(steps, RecoverAction::commit) == std::vector<std::string>{make_gid({{7, 1796000000}, 1, 3}),
                                                                          make_gid({{7, 1796000000}, 2, 3}),
                                                                          make_gid({{7, 1796000000}, 3, 3})});
  CHECK(steps.back().action == RecoverAction::drop);  // once no prepared part can lock it
  CHECK(steps.back().schema == "public");
  CHECK(steps.back().table == hidden_table_name("t", {7, 1796000000}));
}

TEST_CASE("a prefix of the parts is rolled back from the last one down") {
  // Rolling back 2 before 1 keeps a prefix: a crash in between still reads as "roll back".
  const auto run = group_leftovers("app", {xact(7, 1, 3), xact(7, 2, 3)}, {}).runs.at(0);
  CHECK(run.resolution() == Resolution::rollback);
  CHECK(run.reason() == "2 of 3 parts were prepared when it stopped: roll them back");
  CHECK(gids_of(run.steps(), RecoverAction::rollback) ==
        std::vector<std::string>{make_gid({{7, 1796000000}, 2, 3}), make_gid({{7, 1796000000}, 1, 3})});
  CHECK(gids_of(run.steps(), RecoverAction::commit).empty());
}

TEST_CASE("part 1 already committed: the rest are committed") {
  const auto run = group_leftovers("app", {xact(7, 3, 3), xact(7, 2, 3)}, {}).runs.at(0);
  CHECK(run.resolution() == Resolution::commit);
  CHECK(run.reason() == "part 1 of 3 was already committed: commit the other 2 parts");
  CHECK(gids_of(run.steps(), RecoverAction::commit).size() == 2);
}

TEST_CASE("a run with only a hidden table drops it") {
  const auto run = group_leftovers("app", {}, {hidden(9, "a"), hidden(9, "b")}).runs.at(0);
  CHECK(run.reason() == "its new tables were never renamed: drop them");
  const auto steps = run.steps();
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].action == RecoverAction::drop);
  CHECK(steps[0].table < steps[1].table);
}

TEST_CASE("gids that disagree on the number of parts are left for a person") {
  const auto run = group_leftovers("app", {xact(7, 1, 3), xact(7, 2, 2)}, {hidden(7, "t")}).runs.at(0);
  CHECK_FALSE(run.conflict.empty());
  CHECK(run.reason() == run.conflict);
  CHECK(run.steps().empty());
}

TEST_CASE("the warning counts the dead runs' leftovers and names them") {
  auto found = group_leftovers("app", {xact(7, 1, 2), xact(7, 2, 2), xact(8, 1, 2)}, {hidden(8, "t")});
  REQUIRE(found.runs.size() == 2);
  CHECK(describe_run(found.runs[0].run) == "pid 7 started 2026-11-30 00:53:20 UTC");
  CHECK(started_iso(found.runs[0].run) == "2026-11-30T00:53:20Z");
  CHECK(leftover_warning(found.runs) ==
        "found 3 prepared transactions and 1 hidden table left by 2 interrupted parallel pgimport runs "
        "(pid 7 started 2026-11-30 00:53:20 UTC; pid 8 started 2026-11-30 00:53:20 UTC); run 'pgimport --recover'");
  found.runs[1].alive = true;  // a run still going is nobody's leftover
  CHECK(leftover_warning(found.runs) ==
        "found 2 prepared transactions left by an interrupted parallel pgimport (run pid 7 started 2026-11-30 "
        "00:53:20 UTC); run 'pgimport --recover'");
  found.runs[0].alive = true;
  CHECK(leftover_warning(found.runs).empty());
  CHECK(leftover_warning({}).empty());
  const auto only_table = group_leftovers("app", {}, {hidden(8, "t")});
  CHECK(leftover_warning(only_table.runs) ==
        "found 1 hidden table left by an interrupted parallel pgimport (run pid 8 started 2026-11-30 00:53:20 UTC); "
        "run 'pgimport --recover'");
}

TEST_CASE("the reason reads right for one part") {
  CHECK(group_leftovers("app", {xact(7, 1, 1)}, {}).runs.at(0).reason() == "its one part was prepared: commit it");
  CHECK(group_leftovers("app", {xact(7, 1, 2)}, {}).runs.at(0).reason() ==
        "1 of 2 parts was prepared when it stopped: roll it back");
}

TEST_CASE("a run with nothing left has nothing to do") {
  LeftoverRun run;
  run.run = {7, 1796000000};
  CHECK(run.steps().empty());
  CHECK(run.reason() == "nothing of it is left: it finished meanwhile");
}
