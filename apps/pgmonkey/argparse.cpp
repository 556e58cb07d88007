// argparse's matching rules (exact name, else one unambiguous prefix) over a small spec table.
#include "pgmonkey/argparse.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace pgmonkey::app::compat {

std::string Parsed::get(const std::string& dest, const std::string& fallback) const {
  auto it = values.find(dest);
  return it == values.end() ? fallback : it->second;
}

namespace {

std::string names_of(const ArgSpec& a) {
  return core::join(a.names, "/");
}

// argparse: an exact option string wins; otherwise every option string the word starts is a
// candidate, and more than one is an error even when they belong to the same argument.
const ArgSpec* match(const CommandSpec& spec, const std::string& word, const std::string& help_hint) {
  for (const auto& a : spec.args)
    for (const auto& n : a.names)
      if (n == word) return &a;
  const ArgSpec* found = nullptr;
  std::vector<std::string> candidates;
  for (const auto& a : spec.args)
    for (const auto& n : a.names)
      if (core::starts_with(n, word)) {
        found = &a;
        candidates.push_back(n);
      }
  if (candidates.size() > 1)
    throw UsageError("ambiguous option: " + word + " could match " + core::join(candidates, ", "), help_hint);
  return found;
}

}  // namespace

Parsed parse_args(const CommandSpec& given, const std::vector<std::string>& args) {
  // argparse adds -h/--help to every parser, and it takes part in prefix matching (--he).
  CommandSpec spec = given;
  spec.args.push_back({{"--help"}, "__help", false, false, {}, "show this help message and exit"});
  Parsed p;
  const std::string hint = "Try '" + spec.path + " --help' for more information.";
  std::vector<std::string> unrecognized;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string word = args[i];
    if (word == "-h") {
      p.help = true;
      continue;
    }
    if (!core::starts_with(word, "--") || word == "--") {
      unrecognized.push_back(word);
      continue;
    }
    std::string inline_value;
    bool has_inline = false;
    if (auto eq = word.find('='); eq != std::string::npos) {
      inline_value = word.substr(eq + 1);
      word = word.substr(0, eq);
      has_inline = true;
    }
    const ArgSpec* a = match(spec, word, hint);
    if (!a) {
      unrecognized.push_back(args[i]);
      continue;
    }
    if (!a->takes_value) {
      if (has_inline)
        throw UsageError("argument " + names_of(*a) + ": ignored explicit argument '" + inline_value + "'", hint);
      p.values[a->dest] = "1";
      continue;
    }
    std::string value;
    if (has_inline) {
      value = inline_value;
    } else if (i + 1 < args.size() && !(core::starts_with(args[i + 1], "--") && args[i + 1].size() > 2)) {
      value = args[++i];
    } else {
      throw UsageError("argument " + names_of(*a) + ": expected one argument", hint);
    }
    if (!a->choices.empty() && std::find(a->choices.begin(), a->choices.end(), value) == a->choices.end())
      throw UsageError("argument " + names_of(*a) + ": invalid choice: '" + value + "' (choose from " +
                           core::join(a->choices, ", ") + ")",
                       hint);
    p.values[a->dest] = value;
  }
  if (p.values.erase("__help")) p.help = true;
  if (p.help) return p;
  if (!unrecognized.empty()) throw UsageError("unrecognized arguments: " + core::join(unrecognized, " "), hint);
  std::vector<std::string> missing;
  for (const auto& a : spec.args)
    if (a.required && !p.has(a.dest)) missing.push_back(names_of(a));
  if (!missing.empty()) throw UsageError("the following arguments are required: " + core::join(missing, ", "), hint);
  return p;
}

std::string help_text(const CommandSpec& spec) {
  std::string usage = "usage: " + spec.path + " [-h]";
  std::string options = "options:\n  -h, --help            show this help message and exit\n";
  for (const auto& a : spec.args) {
    std::string meta;
    if (a.takes_value && a.choices.empty()) {
      meta = " ";
      for (char c : a.dest) meta += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (a.takes_value) {
      meta = " {" + core::join(a.choices, ",") + "}";
    }
    std::string one = a.names.front() + meta;
    usage += a.required ? " " + one : " [" + one + "]";
    std::string all;
    for (const auto& n : a.names) all += (all.empty() ? "" : ", ") + n + meta;
    options += "  " + all + "\n                        " + a.help + "\n";
  }
  return usage + "\n\n" + spec.description + "\n\n" + options;
}

}  // namespace pgmonkey::app::compat
