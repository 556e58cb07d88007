// Core helpers: strings, did-you-mean, JSON, template rendering, redaction.
#include <doctest/doctest.h>

#include <stdexcept>

#include "core/json.hpp"
#include "core/redact.hpp"
#include "core/render.hpp"
#include "core/strings.hpp"

using namespace pgmonkey::core;

TEST_CASE("parsing numbers and booleans is strict") {
  CHECK(parse_int("42") == std::optional<long long>(42));
  CHECK(parse_int("+7") == std::optional<long long>(7));
  CHECK_FALSE(parse_int("4x").has_value());
  CHECK_FALSE(parse_int("").has_value());
  CHECK_FALSE(parse_int("99999999999999999999").has_value());
  CHECK(parse_number("2.5") == std::optional<double>(2.5));
  CHECK_FALSE(parse_number("2.5s").has_value());
  CHECK(parse_bool("Yes") == std::optional<bool>(true));
  CHECK(parse_bool("off") == std::optional<bool>(false));
  CHECK_FALSE(parse_bool("maybe").has_value());
}

TEST_CASE("did-you-mean finds plausible typos only") {
  std::vector<std::string> keys{"host", "port", "user", "dbname", "sslmode"};
  CHECK(did_you_mean("hosst", keys) == "host");
  CHECK(did_you_mean("prot", keys) == "port");  // transposition
  CHECK(did_you_mean("DBNAME", keys) == "dbname");
  CHECK(did_you_mean("completely_else", keys).empty());
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("split, join, trim") {
  CHECK(split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(join({"a", "b"}, ", ") == "a, b");
  CHECK(trim("  x \n") == "x");
}

TEST_CASE("JSON output escapes and keeps key order") {
  auto j = Json::object();
  j.set("b", 1).set("a", "x\"y\n\x01").set("n", nullptr).set("t", true).set("d", 1.5);
  j.set("b", 2);
  CHECK(j.dump() == R"({"b": 2, "a": "x\"y\n\u0001", "n": null, "t": true, "d": 1.5})");
  auto arr = Json::array();
  arr.push(1).push("s");
  CHECK(arr.dump() == R"([1, "s"])");
  CHECK(arr.dump(2) == "[\n  1,\n  \"s\"\n]");
}

TEST_CASE("templates: variables, sections, inverted sections, unknown names") {
  TemplateValues v{{"name", "db"}, {"on", "true"}, {"off", ""}};
  CHECK(render("x={{name}}", v) == "x=db");
  CHECK(render("{{#on}}yes{{/on}}{{^on}}no{{/on}}", v) == "yes");
  CHECK(render("{{#off}}yes{{/off}}{{^off}}no{{/off}}", v) == "no");
  CHECK(render("a\n{{#on}}\nline\n{{/on}}\nb\n", v) == "a\nline\nb\n");
  CHECK_THROWS_AS(render("{{missing}}", v), std::invalid_argument);
  CHECK_THROWS_AS(render("{{#on}}open", v), std::invalid_argument);
}

TEST_CASE("redaction masks every registered secret, longest first") {
  register_secret("abc123XYZ");
  register_secret("abc123XYZ-longer");
  CHECK(redact("p=abc123XYZ-longer and abc123XYZ") == "p=******** and ********");
  register_secret("");
  register_secret("x");  // too short to mask without wrecking the text
  CHECK(redact("nothing here, xyz") == "nothing here, xyz");
}
