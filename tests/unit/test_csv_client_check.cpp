// CHECK constraints judged on the client: only certain violations fail, and only definitions
// this understands exactly are taken (pg_get_constraintdef's spellings, from PostgreSQL 15).
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "csv/client_check.hpp"

using namespace pgmonkey::csv;

namespace {

const std::vector<CheckColumn> kColumns = {
    {"a", 0, "numeric"},  {"b", 1, "integer"},        {"c", 2, "bigint"},     {"d", 3, "numeric(10,2)"},
    {"e", 4, "smallint"}, {"Odd Name", 5, "integer"}, {"f", 6, "integer"},    {"h", 7, "numeric"},
    {"lo", 8, "integer"}, {"hi", 9, "integer"},       {"j", 10, "numeric(5)"}};

ClientCheck parsed(const std::string& definition) {
  auto c = ClientCheck::parse("c", definition, kColumns);
  REQUIRE_MESSAGE(c.has_value(), definition);
  return *c;
}

// Whether `values` (column name → text; missing: NULL) certainly violate the check, each read
// as its column stores it, as the scanner does.
bool fails(const ClientCheck& check, const std::map<std::string, std::string>& values) {
  std::map<std::size_t, Decimal> read;
  for (const auto& c : kColumns) {
    auto it = values.find(c.name);
    Decimal d;
    if (it != values.end() && NumberStorage::of(c.type)->read(it->second, d)) read[c.field] = d;
  }
  return check.certainly_fails([&](std::size_t field) -> const Decimal* {
    auto it = read.find(field);
    return it == read.end() ? nullptr : &it->second;
  });
}

}  // namespace

TEST_CASE("decimals compare exactly, whatever their spelling") {
  auto d = [](const char* s) {
    auto v = parse_decimal(s);
    REQUIRE_MESSAGE(v.has_value(), s);
    return *v;
  };
  CHECK(compare(d("0"), d("-0.000")) == 0);
  CHECK(compare(d("1e3"), d("1000.0")) == 0);
  CHECK(compare(d(" +12.50 "), d("12.5")) == 0);
  CHECK(compare(d("-1"), d("0")) < 0);
  CHECK(compare(d("-1"), d("-2")) > 0);
  CHECK(compare(d("0.001"), d("0")) > 0);
  CHECK(compare(d("99.999"), d("100")) < 0);
  CHECK(compare(d("1.05"), d("1.5")) < 0);
  CHECK(compare(d(".5"), d("5.")) < 0);
  CHECK(compare(d("123456789012345678901234567890"), d("123456789012345678901234567891")) < 0);
  CHECK(compare(d("1.5E-3"), d("0.0015")) == 0);
  for (const char* s :
       {"", "-", "NaN", "Infinity", "1_000", "0x1F", "1e", "1.2.3", "abc", "1 2", "1e1234567", "0e-20000", "1e1001"})
    CHECK_MESSAGE(!parse_decimal(s).has_value(), s);
}

TEST_CASE("simple CHECK definitions are judged: only a certain violation fails") {
  auto a = parsed("CHECK ((a >= (0)::numeric))");
  CHECK(fails(a, {{"a", "-1"}}));
  CHECK(fails(a, {{"a", "-0.0001"}}));
  CHECK_FALSE(fails(a, {{"a", "0"}}));
  CHECK_FALSE(fails(a, {{"a", "-0"}}));
  CHECK_FALSE(fails(a, {{"a", "5e2"}}));
  CHECK_FALSE(fails(a, {}));  // NULL passes a check
  CHECK_FALSE(fails(a, {{"a", "NaN"}}));
  CHECK_FALSE(fails(a, {{"a", "-1_000"}}));  // read by PostgreSQL 16 only: left to the server
  CHECK(a.column() == "a");

  auto range = parsed("CHECK (((b > 0) AND (b < 100)))");
  CHECK(fails(range, {{"b", "0"}}));
  CHECK(fails(range, {{"b", "100"}}));
  CHECK_FALSE(fails(range, {{"b", "99"}}));
  CHECK_FALSE(fails(range, {{"b", "1.5"}}));  // not an integer: the server's own error

  auto between = parsed("CHECK (((c >= '-5'::integer) AND (c <= 5)))");
  CHECK(fails(between, {{"c", "-6"}}));
  CHECK_FALSE(fails(between, {{"c", "-5"}}));

  auto either = parsed("CHECK (((d > 0.5) OR (d = ('-1'::integer)::numeric)))");
  CHECK_FALSE(fails(either, {{"d", "-1"}}));
  CHECK_FALSE(fails(either, {{"d", "0.51"}}));
  CHECK(fails(either, {{"d", "0.5"}}));
  CHECK(fails(either, {{"d", "-2"}}));

  auto quoted = parsed("CHECK (((\"Odd Name\")::numeric >= '-2.5'::numeric))");
  CHECK(fails(quoted, {{"Odd Name", "-3"}}));
  CHECK_FALSE(fails(quoted, {{"Odd Name", "-2"}}));
  CHECK(quoted.column() == "Odd Name");

  auto in = parsed("CHECK ((h = ANY (ARRAY[(1)::numeric, (2)::numeric, (3)::numeric])))");
  CHECK(fails(in, {{"h", "4"}}));
  CHECK_FALSE(fails(in, {{"h", "2.0"}}));
  auto not_in = parsed("CHECK ((h <> ALL (ARRAY[(1)::numeric, (2)::numeric])))");
  CHECK(fails(not_in, {{"h", "1"}}));
  CHECK_FALSE(fails(not_in, {{"h", "3"}}));

  auto negated = parsed("CHECK ((NOT (b > 5)))");
  CHECK(fails(negated, {{"b", "6"}}));
  CHECK_FALSE(fails(negated, {{"b", "5"}}));

  auto not_null = parsed("CHECK (((b IS NOT NULL) AND (b > 0)))");
  CHECK(fails(not_null, {{"b", "-1"}}));
  CHECK_FALSE(fails(not_null, {}));  // NULL may be refused by the server; never here

  auto pair = parsed("CHECK ((lo <= hi))");
  CHECK(fails(pair, {{"lo", "5"}, {"hi", "4"}}));
  CHECK_FALSE(fails(pair, {{"lo", "4"}, {"hi", "4"}}));
  CHECK_FALSE(fails(pair, {{"lo", "5"}}));
  CHECK(pair.column().empty());  // two columns: the violation names none

  auto not_valid = parsed("CHECK ((a < (1000)::numeric)) NOT VALID");  // still holds for new rows
  CHECK(fails(not_valid, {{"a", "1000"}}));
  CHECK(fails(parsed("CHECK ((e <> 3)) NO INHERIT NOT VALID"), {{"e", "3"}}));
}

TEST_CASE("values the server would store differently are never judged") {
  // numeric(10,2) rounds 0.999 to 1.00, which satisfies >= 1: not a certain violation.
  auto scale = parsed("CHECK ((d >= (1)::numeric))");
  CHECK_FALSE(fails(scale, {{"d", "0.999"}}));
  CHECK(fails(scale, {{"d", "0.99"}}));
  CHECK_FALSE(fails(scale, {{"d", "123456789"}}));  // over numeric(10,2): the server's overflow error
  // numeric(5) has no fraction digits.
  auto whole = parsed("CHECK ((j > 0))");
  CHECK_FALSE(fails(whole, {{"j", "0.4"}}));
  CHECK(fails(whole, {{"j", "0"}}));
  // An integer out of range is the server's error, not the check's.
  auto small = parsed("CHECK ((e > 0))");
  CHECK_FALSE(fails(small, {{"e", "-99999"}}));
  CHECK(fails(small, {{"e", "-9999"}}));
  CHECK_FALSE(fails(small, {{"e", "-1e2"}}));
}

TEST_CASE("definitions this cannot judge exactly are left to the server") {
  for (const char* def : {"CHECK ((j > (0)::double precision))",  // floats round
                          "CHECK ((length(name) > 0))",           // functions
                          "CHECK ((x > 0))",                      // a column that is not a number field
                          "CHECK (((- b) < 5))",                  // arithmetic
                          "CHECK ((b > (1.5)::integer))",         // a rounded constant
                          "CHECK (((a)::integer > 0))",           // a rounded column
                          "CHECK ((b > '5'))",                    // an untyped literal
                          "CHECK (((b > 0) AND (b < 100))",       // unbalanced
                          "CHECK (true)", "UNIQUE (b)", "CHECK ((b > 0) garbage)"})
    CHECK_MESSAGE(!ClientCheck::parse("c", def, kColumns).has_value(), def);
}

TEST_CASE("stored_exactly: what a column stores as it reads") {
  CHECK(stored_exactly("integer", " -12 "));
  CHECK_FALSE(stored_exactly("integer", "1.0"));
  CHECK_FALSE(stored_exactly("smallint", "40000"));
  CHECK_FALSE(stored_exactly("numeric(3,1)", "12345"));
  CHECK_FALSE(stored_exactly("numeric(3,1)", "1.25"));
  CHECK(stored_exactly("numeric(3,1)", "12.5"));
  CHECK(stored_exactly("numeric", "1e1000"));
  CHECK_FALSE(stored_exactly("numeric", "NaN"));
  CHECK_FALSE(stored_exactly("numeric", "1." + std::string(2000, '0')));
  CHECK_FALSE(stored_exactly("real", "1"));
}
