// Judging simple CHECK constraints on the client, exactly: values are compared as decimals, and
// any value the server might store differently than it reads (rounded to a numeric's scale, out
// of an integer's range, NaN, ...) is "not known", which never fails a check.
#include "csv/client_check.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "csv/number_syntax.hpp"

namespace pgmonkey::csv {
namespace {

// Kleene's three values: a record fails a check only on a certain false.
enum class Tri { yes, no, unknown };

struct Operand {
  bool column = false;
  std::size_t field = 0;
  bool integer = false;  // a column of an integer type
  Decimal constant;
};

}  // namespace

struct ClientCheck::Node {
  enum class Kind { all_of, any_of, negate, compare, is_null, in_list } kind = Kind::compare;
  std::vector<std::shared_ptr<const Node>> children;
  std::string op;  // = <> < <= > >=
  Operand left, right;
  std::vector<Operand> list;  // in_list: op ANY (ARRAY[...]) or, with `all`, op ALL (...)
  bool all = false;
  bool negated = false;  // is_null: IS NOT NULL
};

namespace {

using Node = ClientCheck::Node;
using ValueFn = std::function<const Decimal*(std::size_t)>;

const Decimal* value_of(const Operand& o, const ValueFn& value) {
  return o.column ? value(o.field) : &o.constant;
}

Tri holds(const std::string& op, int c) {
  bool r = op == "="    ? c == 0
           : op == "<>" ? c != 0
           : op == "<"  ? c < 0
           : op == "<=" ? c <= 0
           : op == ">"  ? c > 0
                        : c >= 0;
  return r ? Tri::yes : Tri::no;
}

Tri eval(const Node& n, const ValueFn& value) {
  switch (n.kind) {
    case Node::Kind::all_of:
    case Node::Kind::any_of: {
      const Tri decisive = n.kind == Node::Kind::all_of ? Tri::no : Tri::yes;
      Tri out = n.kind == Node::Kind::all_of ? Tri::yes : Tri::no;
      for (const auto& c : n.children) {
        Tri t = eval(*c, value);
        if (t == decisive) return decisive;
        if (t == Tri::unknown) out = Tri::unknown;
      }
      return out;
    }
    case Node::Kind::negate: {
      Tri t = eval(*n.children.front(), value);
      return t == Tri::yes ? Tri::no : t == Tri::no ? Tri::yes : Tri::unknown;
    }
    case Node::Kind::is_null: {
      // Only a value known to be a number is known not to be NULL.
      if (!value_of(n.left, value)) return Tri::unknown;
      return n.negated ? Tri::yes : Tri::no;
    }
    case Node::Kind::compare: {
      auto a = value_of(n.left, value), b = value_of(n.right, value);
      if (!a || !b) return Tri::unknown;
      return holds(n.op, compare(*a, *b));
    }
    case Node::Kind::in_list: {
      auto a = value_of(n.left, value);
      if (!a) return Tri::unknown;
      const Tri decisive = n.all ? Tri::no : Tri::yes;
      Tri out = n.all ? Tri::yes : Tri::no;
      for (const auto& o : n.list) {
        auto b = value_of(o, value);
        if (!b) {
          out = Tri::unknown;
          continue;
        }
        if (holds(n.op, compare(*a, *b)) == decisive) return decisive;
      }
      return out;
    }
  }
  return Tri::unknown;
}

// pg_get_constraintdef's spelling, as tokens.
struct Token {
  enum class Kind { word, quoted_name, number, string, symbol } kind;
  std::string text;
};

std::optional<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (number_space(c)) {
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '$')) ++j;
      out.push_back({Token::Kind::word, std::string(s.substr(i, j - i))});
      i = j;
    } else if (decimal_digit(c)) {
      std::size_t j = i;
      while (j < s.size() && (decimal_digit(s[j]) || s[j] == '.')) ++j;
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        ++j;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        while (j < s.size() && decimal_digit(s[j])) ++j;
      }
      out.push_back({Token::Kind::number, std::string(s.substr(i, j - i))});
      i = j;
    } else if (c == '"' || c == '\'') {
      std::string text;
      std::size_t j = i + 1;
      for (;;) {
        if (j >= s.size()) return std::nullopt;
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {
            text += c;
            j += 2;
            continue;
          }
          break;
        }
        text += s[j++];
      }
      out.push_back({c == '"' ? Token::Kind::quoted_name : Token::Kind::string, text});
      i = j + 1;
    } else {
      static const char* const symbols[] = {"::", "<>", "<=", ">=", "!=", "(", ")", "[", "]", ",", "=", "<", ">"};
      bool found = false;
      for (const char* sym : symbols) {
        const std::string_view v(sym);
        if (s.substr(i, v.size()) == v) {
          out.push_back({Token::Kind::symbol, std::string(v)});
          i += v.size();
          found = true;
          break;
        }
      }
      if (!found) return std::nullopt;  // an operator or a construct this does not judge
    }
  }
  return out;
}

bool keyword(const Token& t) {
  static const std::set<std::string> words = {"AND", "OR", "NOT", "IS", "NULL", "ANY", "ALL", "ARRAY", "TRUE", "FALSE"};
  return t.kind == Token::Kind::word && words.count(t.text) > 0;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::vector<CheckColumn>& columns)
      : tokens_(std::move(tokens)), columns_(columns) {}

  std::shared_ptr<const Node> parse() {
    auto n = parse_or();
    if (!n || failed_ || pos_ != tokens_.size()) return nullptr;
    return n;
  }
  const std::set<std::string>& columns_read() const { return read_; }

 private:
  const Token* peek() const { return pos_ < tokens_.size() ? &tokens_[pos_] : nullptr; }
  bool accept(Token::Kind kind, const char* text) {
    const Token* t = peek();
    if (!t || t->kind != kind || t->text != text) return false;
    ++pos_;
    return true;
  }
  bool symbol(const char* s) { return accept(Token::Kind::symbol, s); }
  bool word(const char* w) { return accept(Token::Kind::word, w); }

  std::shared_ptr<const Node> parse_or() { return parse_list("OR", Node::Kind::any_of); }
  std::shared_ptr<const Node> parse_and() { return parse_list("AND", Node::Kind::all_of); }

  std::shared_ptr<const Node> parse_list(const char* joiner, Node::Kind kind) {
    auto first = std::string(joiner) == "OR" ? parse_and() : parse_not();
    if (!first) return nullptr;
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->children.push_back(first);
    while (word(joiner)) {
      auto next = kind == Node::Kind::any_of ? parse_and() : parse_not();
      if (!next) return nullptr;
      n->children.push_back(next);
    }
    if (n->children.size() == 1) return first;
    return n;
  }

  std::shared_ptr<const Node> parse_not() {
    if (word("NOT")) {
      auto inner = parse_not();
      if (!inner) return nullptr;
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::negate;
      n->children.push_back(inner);
      return n;
    }
    return parse_predicate();
  }

  std::shared_ptr<const Node> parse_predicate() {
    const std::size_t start = pos_;
    if (auto left = parse_operand()) {
      const Token* t = peek();
      if (t && t->kind == Token::Kind::symbol &&
          (t->text == "=" || t->text == "<>" || t->text == "<" || t->text == "<=" || t->text == ">" ||
           t->text == ">=")) {
        auto n = std::make_shared<Node>();
        n->op = t->text;
        n->left = *left;
        ++pos_;
        n->all = word("ALL");
        if (n->all || word("ANY")) {
          n->kind = Node::Kind::in_list;
          if (!symbol("(") || !word("ARRAY") || !symbol("[")) return nullptr;
          do {
            auto o = parse_operand();
            if (!o) return nullptr;
            n->list.push_back(*o);
          } while (symbol(","));
          if (!symbol("]") || !symbol(")")) return nullptr;
          return n;
        }
        auto right = parse_operand();
        if (!right) return nullptr;
        n->kind = Node::Kind::compare;
        n->right = *right;
        return n;
      }
      if (word("IS")) {
        auto n = std::make_shared<Node>();
        n->kind = Node::Kind::is_null;
        n->negated = word("NOT");
        if (!word("NULL")) return nullptr;
        n->left = *left;
        return n;
      }
    }
    if (failed_) return nullptr;
    pos_ = start;
    if (!symbol("(")) return nullptr;
    auto inner = parse_or();
    if (!inner || !symbol(")")) return nullptr;
    return inner;
  }

  // A column, a constant, or either in parentheses, with casts to number types.
  std::optional<Operand> parse_operand() {
    const std::size_t start = pos_;
    const Token* t = peek();
    if (!t) return std::nullopt;
    std::optional<Operand> o;
    bool cast_needed = false;
    if (t->kind == Token::Kind::symbol && t->text == "(") {
      ++pos_;
      o = parse_operand();
      if (!o || !symbol(")")) {
        pos_ = start;
        return std::nullopt;
      }
    } else if ((t->kind == Token::Kind::word && !keyword(*t)) || t->kind == Token::Kind::quoted_name) {
      auto c =
          std::find_if(columns_.begin(), columns_.end(), [&](const CheckColumn& col) { return col.name == t->text; });
      auto storage = c == columns_.end() ? std::nullopt : NumberStorage::of(c->type);
      if (!storage) {
        failed_ = true;  // a column this cannot read exactly: the server judges the constraint
        return std::nullopt;
      }
      ++pos_;
      o = Operand{true, c->field, storage->max_int_digits > 0, {}};
      read_.insert(c->name);
    } else if (t->kind == Token::Kind::number || t->kind == Token::Kind::string) {
      auto d = parse_decimal(t->text);
      if (!d) {
        failed_ = true;
        return std::nullopt;
      }
      ++pos_;
      o = Operand{false, 0, false, *d};
      cast_needed = t->kind == Token::Kind::string;  // a quoted literal is typed by its cast
    } else {
      return std::nullopt;
    }
    bool cast = false;
    while (symbol("::")) {
      const Token* type = peek();
      if (!type || type->kind != Token::Kind::word) {
        failed_ = true;
        return std::nullopt;
      }
      ++pos_;
      if (peek() && peek()->kind == Token::Kind::symbol && peek()->text == "(") {
        failed_ = true;  // numeric(p,s) rounds
        return std::nullopt;
      }
      if (type->text == "numeric") {
        // Exact for integers and unconstrained numerics alike.
      } else if (type->text == "integer" || type->text == "bigint" || type->text == "smallint") {
        // A number cast to an integer type would be rounded; only whole constants are exact.
        if (o->column ? !o->integer : o->constant.exponent < 0) {
          failed_ = true;
          return std::nullopt;
        }
      } else {
        failed_ = true;  // double precision, text, ...: not compared exactly here
        return std::nullopt;
      }
      cast = true;
    }
    if (cast_needed && !cast) {
      failed_ = true;
      return std::nullopt;
    }
    return o;
  }

  std::vector<Token> tokens_;
  const std::vector<CheckColumn>& columns_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::set<std::string> read_;
};

}  // namespace

int compare(const Decimal& a, const Decimal& b) {
  const bool a_zero = a.digits.empty(), b_zero = b.digits.empty();
  const int a_sign = a_zero ? 0 : a.negative ? -1 : 1;
  const int b_sign = b_zero ? 0 : b.negative ? -1 : 1;
  if (a_sign != b_sign) return a_sign < b_sign ? -1 : 1;
  if (a_sign == 0) return 0;
  // Same sign: compare magnitudes by the place of the first digit, then digit by digit.
  int magnitude = 0;
  const long a_top = static_cast<long>(a.digits.size()) + a.exponent;
  const long b_top = static_cast<long>(b.digits.size()) + b.exponent;
  if (a_top != b_top) {
    magnitude = a_top < b_top ? -1 : 1;
  } else {
    const std::size_t n = std::max(a.digits.size(), b.digits.size());
    for (std::size_t i = 0; i < n && magnitude == 0; ++i) {
      const char x = i < a.digits.size() ? a.digits[i] : '0';
      const char y = i < b.digits.size() ? b.digits[i] : '0';
      if (x != y) magnitude = x < y ? -1 : 1;
    }
  }
  return a_sign > 0 ? magnitude : -magnitude;
}

bool parse_decimal(std::string_view v, Decimal& out) {
  // Longer ones may overflow numeric's display scale (16383 digits) even when they are short
  // once trailing zeros are dropped: not judged.
  if (v.size() > 1000) return false;
  while (!v.empty() && number_space(v.front())) v.remove_prefix(1);
  while (!v.empty() && number_space(v.back())) v.remove_suffix(1);
  out.negative = false;
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
    out.negative = v.front() == '-';
    v.remove_prefix(1);
  }
  // Digits are kept from the first non-zero one; trailing zeros are dropped at the end.
  out.digits.clear();
  long fraction = 0;  // digits after the point, kept or not
  std::size_t seen = 0;
  bool point = false;
  std::size_t i = 0;
  for (; i < v.size(); ++i) {
    const char c = v[i];
    if (decimal_digit(c)) {
      ++seen;
      if (point) ++fraction;
      if (c != '0' || !out.digits.empty()) out.digits += c;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (seen == 0) return false;
  long exponent = 0;
  if (i < v.size()) {
    if (v[i] != 'e' && v[i] != 'E') return false;
    ++i;
    bool minus = false;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) minus = v[i++] == '-';
    if (i == v.size() || v.size() - i > 6) return false;
    for (; i < v.size(); ++i) {
      if (!decimal_digit(v[i])) return false;
      exponent = exponent * 10 + (v[i] - '0');
    }
    if (minus) exponent = -exponent;
    if (exponent > 1000 || exponent < -1000) return false;  // numeric refuses it, even on a zero
  }
  std::size_t kept = out.digits.size();
  while (kept > 0 && out.digits[kept - 1] == '0') --kept;
  out.exponent = exponent - fraction + static_cast<long>(out.digits.size() - kept);
  out.digits.resize(kept);
  if (kept == 0) {
    out.negative = false;  // zero, whatever its sign
    out.exponent = 0;
  }
  return true;
}

std::optional<Decimal> parse_decimal(std::string_view v) {
  Decimal d;
  if (!parse_decimal(v, d)) return std::nullopt;
  return d;
}

std::optional<NumberStorage> NumberStorage::of(std::string_view type) {
  if (type == "smallint") return NumberStorage{4, -1, 0};
  if (type == "integer") return NumberStorage{9, -1, 0};
  if (type == "bigint") return NumberStorage{18, -1, 0};
  if (type == "numeric") return NumberStorage{};
  if (type.substr(0, 8) == "numeric(" && type.back() == ')') {
    std::string_view args = type.substr(8, type.size() - 9);
    NumberStorage s;
    const auto comma = args.find(',');
    try {
      s.precision = std::stol(std::string(args.substr(0, comma)));
      s.scale = comma == std::string_view::npos ? 0 : std::stol(std::string(args.substr(comma + 1)));
    } catch (...) {
      return std::nullopt;
    }
    return s;
  }
  return std::nullopt;
}

bool NumberStorage::read(std::string_view text, Decimal& d) const {
  if (!parse_decimal(text, d)) return false;
  const long int_digits = static_cast<long>(d.digits.size()) + d.exponent;
  if (max_int_digits) {
    if (text.find_first_of(".eE") != std::string_view::npos) return false;
    return d.digits.empty() || int_digits <= static_cast<long>(max_int_digits);
  }
  if (precision < 0) return d.digits.size() <= 1000 && d.exponent <= 1000 && d.exponent >= -1000;
  if (d.exponent < -scale) return false;  // would be rounded to the scale
  return d.digits.empty() || int_digits <= precision - scale;
}

bool stored_exactly(std::string_view type, std::string_view value) {
  auto storage = NumberStorage::of(type);
  Decimal d;
  return storage && storage->read(value, d);
}

std::optional<ClientCheck> ClientCheck::parse(std::string name, std::string_view definition,
                                              const std::vector<CheckColumn>& columns) {
  // "CHECK (...)", maybe followed by NOT VALID or NO INHERIT (the check holds for new rows).
  // PostgreSQL 18's NOT ENFORCED stays, so such a check is not parsed: the server ignores it.
  if (definition.substr(0, 6) != "CHECK ") return std::nullopt;
  definition.remove_prefix(6);
  for (std::string_view suffix : {" NOT VALID", " NO INHERIT", " NOT VALID"}) {
    if (definition.size() >= suffix.size() && definition.substr(definition.size() - suffix.size()) == suffix)
      definition.remove_suffix(suffix.size());
  }
  auto tokens = tokenize(definition);
  if (!tokens) return std::nullopt;
  Parser parser(std::move(*tokens), columns);
  auto root = parser.parse();
  if (!root) return std::nullopt;
  ClientCheck check;
  check.name_ = std::move(name);
  if (parser.columns_read().size() == 1) check.column_ = *parser.columns_read().begin();
  check.root_ = std::move(root);
  return check;
}

bool ClientCheck::certainly_fails(const ValueFn& value) const {
  return eval(*root_, value) == Tri::no;
}

}  // namespace pgmonkey::csv
