// Core helpers: strings, did-you-mean, JSON, template rendering, redaction.
#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

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

namespace {

// The textbook full-matrix distance, to check the banded one against.
std::size_t reference_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

TEST_CASE("the bounded edit distance agrees with the full one up to its bound") {
  unsigned state = 12345;
  auto next = [&] { return state = state * 1103515245u + 12345u; };
  for (int n = 0; n < 3000; ++n) {
    std::string a, b;
    for (unsigned i = next() % 9; i > 0; --i) a += static_cast<char>('a' + next() % 3);
    for (unsigned i = next() % 9; i > 0; --i) b += static_cast<char>('a' + next() % 3);
    const std::size_t full = reference_distance(a, b);
    CAPTURE(a);
    CAPTURE(b);
    CHECK(edit_distance(a, b) == full);
    for (std::size_t bound = 0; bound < 5; ++bound) CHECK(edit_distance(a, b, bound) == std::min(full, bound + 1));
  }
}

TEST_CASE("did-you-mean on a huge word is bounded by the candidates") {
  const std::string huge(2 * 1024 * 1024, 'h');
  CHECK(did_you_mean(huge, {"host", "port"}).empty());
  CHECK(edit_distance(huge, "host", 3) == 4);
  CHECK(edit_distance(huge, huge + "x", 3) == 1);  // O(length x bound): fast on 2 MiB
}
