// CHECK constraints simple enough for the client to judge: comparisons between number columns
// and constants joined by AND, OR and NOT, as pg_get_constraintdef() spells them, so that
// --max-errors sets a violating record aside without a round trip to the server.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgmonkey::csv {

// An exact decimal: digits × 10^exponent (no leading or trailing zeros; zero has no digits).
struct Decimal {
  bool negative = false;
  std::string digits;
  long exponent = 0;
};
// -1, 0 or 1 as `a` is less than, equal to or greater than `b`.
int compare(const Decimal& a, const Decimal& b);
// A decimal as PostgreSQL's numeric input reads it (whitespace around, a sign, digits with one
// point, an exponent); false (or nullopt) for anything else (NaN, infinities, underscores, 0x...).
bool parse_decimal(std::string_view text, Decimal& out);
std::optional<Decimal> parse_decimal(std::string_view text);

// How a number column stores a value: smallint, integer, bigint, numeric or numeric(p,s).
struct NumberStorage {
  std::size_t max_int_digits = 0;  // non-zero: an integer type (the range is left to the server)
  long precision = -1;             // numeric(p,s); -1: unconstrained
  long scale = 0;

  // nullopt for any other format_type() name.
  static std::optional<NumberStorage> of(std::string_view type);
  // The value exactly as stored; false for one the column would round, refuse (out of range,
  // too long) or that is not a plain decimal (NaN, 0x1F, 1_000, 1.0 for an integer).
  bool read(std::string_view text, Decimal& out) const;
};
bool stored_exactly(std::string_view type, std::string_view value);

// A column a check may read: its field in the record and the type the value is stored as.
struct CheckColumn {
  std::string name;
  std::size_t field = 0;
  std::string type;  // format_type(): smallint, integer, bigint, numeric or numeric(p,s)
};

class ClientCheck {
 public:
  // The constraint when its definition is one this can judge exactly, over `columns` only;
  // nullopt otherwise (the server then judges it, as before).
  static std::optional<ClientCheck> parse(std::string name, std::string_view definition,
                                          const std::vector<CheckColumn>& columns);

  // True only when the values certainly make the constraint false. `value(field)` gives a
  // field's value as its column stores it (NumberStorage::read), or nullptr when it is NULL or
  // not known exactly; such a value never fails a check.
  bool certainly_fails(const std::function<const Decimal*(std::size_t field)>& value) const;

  const std::string& name() const noexcept { return name_; }
  // The column a violation is reported on: the only one it reads, else empty.
  const std::string& column() const noexcept { return column_; }

  struct Node;

 private:
  std::string name_;
  std::string column_;
  std::shared_ptr<const Node> root_;
};

}  // namespace pgmonkey::csv
