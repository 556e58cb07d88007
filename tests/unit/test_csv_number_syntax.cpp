// Values no PostgreSQL version reads as a number: flagged only when certain.
#include <doctest/doctest.h>

#include <string>

#include "csv/number_syntax.hpp"

using namespace pgmonkey::csv;

TEST_CASE("what some server may read as a number is never flagged") {
  for (const char* v : {"1",      " 12 ",       "+3",       "-4",    "1.5",
                        ".5",     "5.",         "1e3",      "1E-2",  "1e+5",
                        "1_000",  "0x1F",       "0o17",     "0b101", "NaN",
                        "nan",    "-Infinity",  "inf",      "\t7\t", "99999999999999999999",
                        "1.5e_3", "12\xc2\xa0", "\xd9\xa1", "1e 5",  "1E\t-3",
                        "2e\n+1"})
    CHECK_MESSAGE(!certainly_not_a_number(v), v);
}

TEST_CASE("what no server reads as a number is flagged") {
  for (const char* v : {"",   " ",   "abc",       "12abc", "1e",  "e5", ".",   "-",   "+-1",   "--1",   "1-",
                        "0x", "0xZ", "Infinityx", "1.2.3", "1 2", "x1", "N/A", "1,5", "1e5.5", "1e- 5", "1e "})
    CHECK_MESSAGE(certainly_not_a_number(v), v);
}

TEST_CASE("the number types are the built-in ones, by format_type's name") {
  CHECK(std::string(number_type_name("integer")) == "integer");
  CHECK(std::string(number_type_name("numeric(6,2)")) == "numeric");
  CHECK(number_type_name("double precision") == nullptr);
  CHECK(number_type_name("integer[]") == nullptr);
  CHECK(number_type_name("my_domain") == nullptr);
  CHECK(number_syntax_message("bigint", "x") == "invalid input syntax for type bigint: \"x\"");
}
