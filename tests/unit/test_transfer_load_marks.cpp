// The names a parallel import leaves on a server: gids and hidden tables, and reading them back.
#include <doctest/doctest.h>

#include "transfer/load_marks.hpp"

using namespace pgmonkey::transfer;

TEST_CASE("a prepared part's gid reads back as the same part") {
  const PreparedPart part{{4242, 1796000000}, 2, 3};
  const std::string gid = make_gid(part);
  CHECK(gid == "pgmonkey-pgimport:4242:1796000000:2/3");
  CHECK(gid.size() < 200);
  const auto back = parse_gid(gid);
  REQUIRE(back);
  CHECK(back->run.pid == 4242);
  CHECK(back->run.started == 1796000000);
  CHECK(back->part == 2);
  CHECK(back->parts == 3);
}

TEST_CASE("gids this tool did not write are not ours") {
  CHECK_FALSE(parse_gid("pgmonkey-pgimport:1:2:3"));
  CHECK_FALSE(parse_gid("pgmonkey-pgimport:1:2:3/2"));  // part beyond parts
  CHECK_FALSE(parse_gid("pgmonkey-pgimport:1:2:0/2"));  // parts are 1-based
  CHECK_FALSE(parse_gid("pgmonkey-pgimport:1:2:1/2x"));
  CHECK_FALSE(parse_gid("pgmonkey-pgimport:-1:2:1/2"));
  CHECK_FALSE(parse_gid("pgmonkey-pgimport:+1:2:1/2"));
  CHECK_FALSE(parse_gid("pgmonkey-pgimport::2:1/2"));
  CHECK_FALSE(parse_gid("someone-else:1:2:1/2"));
  CHECK_FALSE(parse_gid(""));
}

TEST_CASE("a hidden table name fits an identifier and names its run") {
  const LoadRun run{4242, 1796000000};
  CHECK(hidden_table_name("orders", run) == "pgmonkey_load_4242_1796000000_orders");
  const std::string long_name(100, 'x');
  CHECK(hidden_table_name(long_name, run).size() == 63);
  // 'é' is two bytes: the cut never splits it.
  std::string accented;
  for (int i = 0; i < 40; ++i) accented += "\xC3\xA9";
  const std::string hidden = hidden_table_name(accented, run);
  CHECK(hidden.size() <= 63);
  CHECK((hidden.size() - std::string("pgmonkey_load_4242_1796000000_").size()) % 2 == 0);
  const auto back = parse_hidden_table_name(hidden);
  REQUIRE(back);
  CHECK(back->pid == 4242);
  CHECK(back->started == 1796000000);
  CHECK_FALSE(parse_hidden_table_name("orders"));
  CHECK_FALSE(parse_hidden_table_name("pgmonkey_load_x_1_t"));
}

TEST_CASE("a crashed run's prepared parts are committed only when the decision was to commit") {
  // all prepared, nothing committed yet: every part is in, commit
  CHECK(resolve_run(3, {1, 2, 3}) == Resolution::commit);
  CHECK(resolve_run(3, {3, 1, 2}) == Resolution::commit);
  // died while preparing (a prefix): roll back
  CHECK(resolve_run(3, {1}) == Resolution::rollback);
  CHECK(resolve_run(3, {1, 2}) == Resolution::rollback);
  // died while committing (part 1 already committed): commit the rest
  CHECK(resolve_run(3, {2, 3}) == Resolution::commit);
  CHECK(resolve_run(3, {3}) == Resolution::commit);
}

TEST_CASE("a run's advisory lock key is stable and tells runs apart") {
  const auto a = run_lock_key({4242, 1796000000});
  CHECK(a == run_lock_key({4242, 1796000000}));
  CHECK(a.first == 0x70676d6b);
  CHECK(a != run_lock_key({4243, 1796000000}));
  CHECK(a != run_lock_key({4242, 1796000001}));
}
