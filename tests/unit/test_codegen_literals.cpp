// Unit tests for the literals and comments that generated programs are built from.
#include <doctest/doctest.h>

#include "codegen/literals.hpp"

using namespace pgmonkey::codegen;

TEST_CASE("C string literals escape what C would misread") {
  CHECK(c_string_literal("plain text 123") == "\"plain text 123\"");
  CHECK(c_string_literal("a\"b\\c") == R"("a\"b\\c")");
  CHECK(c_string_literal("?\?=") == R"("\?\?=")");  // no trigraph under -std=c11
  CHECK(c_string_literal("line\nnext\ttab") == R"("line\nnext\ttab")");
  // Octal escapes stop after three digits, so a following digit stays a digit.
  CHECK(c_string_literal(std::string("\x01"
                                     "7",
                                     2)) == R"("\0017")");
  CHECK(c_string_literal("caf\xc3\xa9") == R"("caf\303\251")");
  CHECK(c_string_literal(std::string("nul\0x", 5)) == R"("nul\000x")");
  CHECK(c_string_literal("") == "\"\"");
}

TEST_CASE("Python string literals escape quotes, backslashes and control characters") {
  CHECK(python_string_literal("config.yaml") == "'config.yaml'");
  CHECK(python_string_literal("it's") == R"('it\'s')");
  CHECK(python_string_literal("C:\\dir") == R"('C:\\dir')");
  CHECK(python_string_literal("a\nb\x7f") == R"('a\nb\x7f')");
  CHECK(python_string_literal("caf\xc3\xa9") == "'caf\xc3\xa9'");  // UTF-8 kept readable
  CHECK(python_string_literal("\"double\"") == "'\"double\"'");
}

TEST_CASE("comment text is one line and cannot close a C comment") {
  CHECK(comment_text("conf/app.yaml") == "conf/app.yaml");
  CHECK(comment_text("a\nb\rc") == "a?b?c");
  CHECK(comment_text("x*/y") == "x* /y");
  CHECK(comment_text("/*/") == "/* /");
}

TEST_CASE("shell words are quoted only when they need it") {
  CHECK(shell_word("pgmonkey_pool.cpp") == "pgmonkey_pool.cpp");
  CHECK(shell_word("out/dir/prog-1.c") == "out/dir/prog-1.c");
  CHECK(shell_word("my prog.cpp") == "'my prog.cpp'");
  CHECK(shell_word("it's") == R"('it'\''s')");
  CHECK(shell_word("$(rm -rf x)") == "'$(rm -rf x)'");
  CHECK(shell_word("") == "''");
}
