// Turns CLI11's parse errors into one error line with a did-you-mean and a "Try ... --help".
#include "common/usage.hpp"

#include <vector>

#include "core/strings.hpp"

namespace pgmonkey::app {
namespace {

// The chain of commands the user got to: the tool, then the subcommands it parsed.
std::vector<const CLI::App*> command_chain(const CLI::App& app) {
  std::vector<const CLI::App*> chain{&app};
  for (;;) {
    auto subs = chain.back()->get_subcommands();
    if (subs.empty()) break;
    chain.push_back(subs.front());
  }
  return chain;
}

std::vector<std::string> option_spellings(const std::vector<const CLI::App*>& chain) {
  std::vector<std::string> out;
  for (const auto* a : chain)
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) out.push_back("--" + l);
      for (const auto& s : o->get_snames()) out.push_back("-" + s);
    }
  return out;
}

}  // namespace

UsageMessage describe_usage_error(const CLI::App& app, const CLI::ParseError& e) {
  auto chain = command_chain(app);
  std::string command;
  for (const auto* a : chain) command += (command.empty() ? "" : " ") + a->get_name();
  UsageMessage u;
  u.hint = "Try '" + command + " --help' for more information.";
  u.message = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr) return u;
  std::vector<std::string> extras;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    for (const auto& r : (*it)->remaining()) extras.push_back(r);
  if (extras.empty()) return u;
  const std::string& word = extras.front();
  if (word.size() > 1 && word[0] == '-') {
    std::string name = word.substr(0, word.find('='));
    u.message = "unknown option '" + name + "'";
    auto near = core::did_you_mean(name, option_spellings(chain));
    if (!near.empty()) u.message += " (did you mean '" + near + "'?)";
  } else {
    u.message = "unexpected argument '" + word + "'";
  }
  return u;
}

}  // namespace pgmonkey::app
