// Fuzzes the client-side CHECK judge: the first line is a constraint definition over columns
// a (numeric), b (integer), c (numeric(6,2)), d (smallint); the rest are tab-separated values.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csv/client_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgmonkey::csv;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto nl = text.find('\n');
  const std::string_view definition = text.substr(0, nl);
  const std::string_view rest = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  static const std::vector<CheckColumn> columns = {
      {"a", 0, "numeric"}, {"b", 1, "integer"}, {"c", 2, "numeric(6,2)"}, {"d", 3, "smallint"}};
  std::vector<Decimal> values(columns.size());
  std::vector<bool> known(columns.size(), false);
  std::size_t field = 0, from = 0;
  for (std::size_t i = 0; i <= rest.size() && field < columns.size(); ++i) {
    if (i < rest.size() && rest[i] != '\t') continue;
    const std::string_view v = rest.substr(from, i - from);
    known[field] = NumberStorage::of(columns[field].type)->read(v, values[field]);
    // A value read exactly compares equal to itself, and the same either way round.
    if (known[field] && compare(values[field], values[field]) != 0) __builtin_trap();
    if (field > 0 && known[field] && known[field - 1] &&
        compare(values[field], values[field - 1]) != -compare(values[field - 1], values[field]))
      __builtin_trap();
    ++field;
    from = i + 1;
  }
  if (auto check = ClientCheck::parse("c", definition, columns))
    (void)check->certainly_fails([&](std::size_t f) { return f < known.size() && known[f] ? &values[f] : nullptr; });
  return 0;
}
