// A small Thompson-NFA regex search for pg_hba.conf /regex entries, with a step budget.
#include "server/hba_regex.hpp"

#include <bitset>
#include <cctype>
#include <memory>
#include <optional>
#include <vector>

namespace pgmonkey::server {
namespace {

using CharSet = std::bitset<256>;

// Programs larger than this are refused rather than built ({1000} repeats and the like).
constexpr std::size_t kMaxProgram = 20000;

struct Unsupported {
  std::string what;
};

struct Node {
  enum Kind { chars, bol, eol, cat, alt, repeat } kind = cat;
  CharSet set;
  std::vector<std::unique_ptr<Node>> kids;
  int min = 0, max = -1;  // repeat; max -1: unbounded
};

using NodePtr = std::unique_ptr<Node>;

NodePtr leaf(Node::Kind k) {
  auto n = std::make_unique<Node>();
  n->kind = k;
  return n;
}

CharSet class_of(char c) {
  CharSet s;
  for (int i = 0; i < 256; ++i) {
    const auto u = static_cast<unsigned char>(i);
    if ((c == 'd' && std::isdigit(u)) || (c == 's' && std::isspace(u)) || (c == 'w' && (std::isalnum(u) || u == '_')))
      s.set(static_cast<std::size_t>(i));
  }
  return s;
}

// Recursive descent over the pattern; throws Unsupported for what we do not simulate.
class Parser {
 public:
  explicit Parser(const std::string& p) : p_(p) {}

  NodePtr parse() {
    auto n = alternation();
    if (pos_ != p_.size()) throw Unsupported{"unbalanced ')'"};
    return n;
  }

 private:
  const std::string& p_;
  std::size_t pos_ = 0;
  int depth_ = 0;

  bool more() const { return pos_ < p_.size(); }
  char peek() const { return p_[pos_]; }

  NodePtr alternation() {
    auto first = concatenation();
    if (!more() || peek() != '|') return first;
    auto n = leaf(Node::alt);
    n->kids.push_back(std::move(first));
    while (more() && peek() == '|') {
      ++pos_;
      n->kids.push_back(concatenation());
    }
    return n;
  }

  NodePtr concatenation() {
    auto n = leaf(Node::cat);
    while (more() && peek() != '|' && peek() != ')') n->kids.push_back(repetition());
    return n;
  }

  std::optional<int> number() {
    std::size_t start = pos_;
    while (more() && std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
    if (start == pos_ || pos_ - start > 4) return std::nullopt;
    return std::stoi(p_.substr(start, pos_ - start));
  }

  NodePtr repetition() {
    auto atom_node = atom();
    if (!more()) return atom_node;
    int min = 0, max = -1;
    const char c = peek();
    if (c == '*') {
      ++pos_;
    } else if (c == '+') {
      ++pos_;
      min = 1;
    } else if (c == '?') {
      ++pos_;
      max = 1;
    } else if (c == '{') {
      ++pos_;
      auto lo = number();
      if (!lo) throw Unsupported{"a '{' that is not a bound"};
      min = *lo;
      max = *lo;
      if (more() && peek() == ',') {
        ++pos_;
        max = -1;
        if (more() && peek() != '}') {
          auto hi = number();
          if (!hi || *hi < min) throw Unsupported{"a malformed {m,n} bound"};
          max = *hi;
        }
      }
      if (!more() || peek() != '}') throw Unsupported{"a malformed {m,n} bound"};
      ++pos_;
    } else {
      return atom_node;
    }
    if (more() && peek() == '?') ++pos_;  // lazy: the same language, so the same verdict
    if (more() && (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{'))
      throw Unsupported{"stacked quantifiers (PostgreSQL rejects them)"};
    if (atom_node->kind == Node::bol || atom_node->kind == Node::eol) throw Unsupported{"a quantified anchor"};
    auto n = leaf(Node::repeat);
    n->min = min;
    n->max = max;
    n->kids.push_back(std::move(atom_node));
    return n;
  }

  NodePtr atom() {
    const char c = p_[pos_++];
    switch (c) {
      case '(': {
        if (more() && peek() == '?') {
          if (pos_ + 1 < p_.size() && p_[pos_ + 1] == ':')
            pos_ += 2;
          else
            throw Unsupported{"(?...) options or lookaround"};
        }
        if (++depth_ > 100) throw Unsupported{"groups nested too deeply"};
        auto inner = alternation();
        --depth_;
        if (!more() || peek() != ')') throw Unsupported{"an unclosed '('"};
        ++pos_;
        return inner;
      }
      case '[':
        return bracket();
      case '.': {
        auto n = leaf(Node::chars);
        n->set.set();
        return n;
      }
      case '^':
        return leaf(Node::bol);
      case '$':
        return leaf(Node::eol);
      case '\\':
        return escape();
      case '*':
      case '+':
      case '?':
      case '{':
        throw Unsupported{"a quantifier with nothing to repeat"};
      default: {
        auto n = leaf(Node::chars);
        n->set.set(static_cast<unsigned char>(c));
        return n;
      }
    }
  }

  // \d \w \s and their negations, or an escaped punctuation character.
  CharSet escaped_set() {
    if (!more()) throw Unsupported{"a trailing backslash"};
    const char e = p_[pos_++];
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(e)));
    if (lower == 'd' || lower == 's' || lower == 'w') {
      auto s = class_of(lower);
      return e == lower ? s : ~s;
    }
    if (e == 'n' || e == 't') {
      CharSet s;
      s.set(e == 'n' ? '\n' : '\t');
      return s;
    }
    if (std::isalnum(static_cast<unsigned char>(e))) throw Unsupported{std::string("the escape \\") + e};
    CharSet s;
    s.set(static_cast<unsigned char>(e));
    return s;
  }

  NodePtr escape() {
    auto n = leaf(Node::chars);
    n->set = escaped_set();
    return n;
  }

  NodePtr bracket() {
    auto n = leaf(Node::chars);
    bool negate = false;
    if (more() && peek() == '^') {
      negate = true;
      ++pos_;
    }
    bool first = true;
    while (more() && (peek() != ']' || first)) {
      first = false;
      if (peek() == '[' && pos_ + 1 < p_.size() && (p_[pos_ + 1] == ':' || p_[pos_ + 1] == '.' || p_[pos_ + 1] == '='))
        throw Unsupported{"[: :], [. .] or [= =] inside a bracket"};
      if (peek() == '\\') {
        ++pos_;
        n->set |= escaped_set();
        continue;
      }
      const auto lo = static_cast<unsigned char>(p_[pos_++]);
      if (pos_ + 1 < p_.size() && peek() == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        const auto hi = static_cast<unsigned char>(p_[pos_++]);
        if (hi < lo) throw Unsupported{"a reversed range"};
        for (unsigned v = lo; v <= hi; ++v) n->set.set(v);
      } else {
        n->set.set(lo);
      }
    }
    if (!more()) throw Unsupported{"an unclosed '['"};
    ++pos_;
    if (negate) n->set.flip();
    return n;
  }
};

struct Inst {
  enum Op { chars, split, jump, bol, eol, match } op = match;
  CharSet set;
  std::size_t x = 0, y = 0;
};

class Compiler {
 public:
  std::vector<Inst> prog;

  void emit(const Node& n) {
    if (prog.size() > kMaxProgram) throw Unsupported{"a pattern too large to simulate"};
    switch (n.kind) {
      case Node::chars:
        prog.push_back({Inst::chars, n.set, 0, 0});
        break;
      case Node::bol:
        prog.push_back({Inst::bol, {}, 0, 0});
        break;
      case Node::eol:
        prog.push_back({Inst::eol, {}, 0, 0});
        break;
      case Node::cat:
        for (const auto& k : n.kids) emit(*k);
        break;
      case Node::alt: {
        std::vector<std::size_t> jumps;
        for (std::size_t i = 0; i < n.kids.size(); ++i) {
          std::size_t split = 0;
          const bool last = i + 1 == n.kids.size();
          if (!last) {
            split = prog.size();
            prog.push_back({Inst::split, {}, split + 1, 0});
          }
          emit(*n.kids[i]);
          if (!last) {
            jumps.push_back(prog.size());
            prog.push_back({Inst::jump, {}, 0, 0});
            prog[split].y = prog.size();
          }
        }
        for (auto j : jumps) prog[j].x = prog.size();
        break;
      }
      case Node::repeat: {
        const Node& body = *n.kids[0];
        for (int i = 0; i < n.min; ++i) emit(body);
        if (n.max < 0) {
          const std::size_t loop = prog.size();
          prog.push_back({Inst::split, {}, loop + 1, 0});
          emit(body);
          prog.push_back({Inst::jump, {}, loop, 0});
          prog[loop].y = prog.size();
        } else {
          std::vector<std::size_t> splits;
          for (int i = n.min; i < n.max; ++i) {
            splits.push_back(prog.size());
            prog.push_back({Inst::split, {}, prog.size() + 1, 0});
            emit(body);
          }
          for (auto s : splits) prog[s].y = prog.size();
        }
        break;
      }
    }
  }
};

class Machine {
 public:
  Machine(const std::vector<Inst>& prog, const std::string& subject, std::size_t limit)
      : prog_(prog), s_(subject), limit_(limit), mark_(prog.size(), static_cast<std::size_t>(-1)) {}

  RegexResult run() {
    std::vector<std::size_t> current, next;
    for (std::size_t pos = 0; pos <= s_.size(); ++pos) {
      add(current, 0, pos);  // unanchored: a new attempt starts at every position
      if (matched_) return {RegexVerdict::match, {}};
      if (gave_up_) return gave_up();
      if (pos == s_.size()) break;
      next.clear();
      const auto c = static_cast<unsigned char>(s_[pos]);
      for (auto pc : current)
        if (prog_[pc].op == Inst::chars && prog_[pc].set.test(c)) add(next, pc + 1, pos + 1);
      if (matched_) return {RegexVerdict::match, {}};
      if (gave_up_) return gave_up();
      current.swap(next);
    }
    return {RegexVerdict::no_match, {}};
  }

 private:
  const std::vector<Inst>& prog_;
  const std::string& s_;
  std::size_t limit_;
  std::size_t steps_ = 0;
  std::vector<std::size_t> mark_;  // the position a state was last added at
  bool matched_ = false, gave_up_ = false;

  RegexResult gave_up() const {
    return {RegexVerdict::undecided, "gave up after " + std::to_string(limit_) + " steps"};
  }

  // Follows jumps, splits and anchors without recursion; each state at most once per position.
  void add(std::vector<std::size_t>& list, std::size_t start, std::size_t pos) {
    std::vector<std::size_t> stack{start};
    while (!stack.empty()) {
      const auto pc = stack.back();
      stack.pop_back();
      if (mark_[pc] == pos) continue;
      mark_[pc] = pos;
      if (++steps_ > limit_) {
        gave_up_ = true;
        return;
      }
      const auto& in = prog_[pc];
      switch (in.op) {
        case Inst::jump:
          stack.push_back(in.x);
          break;
        case Inst::split:
          stack.push_back(in.y);
          stack.push_back(in.x);
          break;
        case Inst::bol:
          if (pos == 0) stack.push_back(pc + 1);
          break;
        case Inst::eol:
          if (pos == s_.size()) stack.push_back(pc + 1);
          break;
        case Inst::match:
          matched_ = true;
          return;
        case Inst::chars:
          list.push_back(pc);
          break;
      }
    }
  }
};

}  // namespace

RegexResult hba_regex_search(const std::string& pattern, const std::string& subject, std::size_t step_limit) {
  try {
    auto tree = Parser(pattern).parse();
    Compiler c;
    c.emit(*tree);
    c.prog.push_back({Inst::match, {}, 0, 0});
    return Machine(c.prog, subject, step_limit).run();
  } catch (const Unsupported& u) {
    return {RegexVerdict::undecided, "the pattern uses " + u.what + ", which the audit does not simulate"};
  }
}

}  // namespace pgmonkey::server
