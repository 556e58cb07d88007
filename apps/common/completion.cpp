// Bash, zsh and fish completion scripts built from a CLI11 App's options and subcommands.
#include "common/completion.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "codegen/generate.hpp"
#include "common/cli.hpp"
#include "common/output.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/connection.hpp"
#include "db/table_names.hpp"

namespace pgmonkey::app {
namespace {

struct OptionSpec {
  std::string name;                 // CLI11's name, e.g. --table
  bool tables = false;              // values are table names, listed by the tool itself
  std::vector<std::string> shorts;  // without the dash
  std::vector<std::string> longs;   // without the dashes
  bool takes_value = false;
  std::vector<std::string> choices;
  std::string description;

  std::vector<std::string> spellings() const {
    std::vector<std::string> out;
    for (const auto& s : shorts) out.push_back("-" + s);
    for (const auto& l : longs) out.push_back("--" + l);
    return out;
  }
};

struct CommandSpec {
  std::string name;
  std::string description;
  std::vector<OptionSpec> options;
  bool positional_files = false;
  std::vector<CommandSpec> subcommands;
};

// Encodings both transfer tools accept (pgimport through iconv and its aliases, pgexport as
// PostgreSQL client encodings or UTF-16), the common ones first; any other name still works.
const std::vector<std::string>& encoding_choices() {
  static const std::vector<std::string> names = {"UTF-8",   "UTF-16",  "UTF-16LE", "UTF-16BE", "LATIN1",  "LATIN2",
                                                 "LATIN9",  "WIN1250", "WIN1251",  "WIN1252",  "WIN1253", "WIN1254",
                                                 "WIN1257", "KOI8R",   "KOI8U",    "SJIS",     "EUC_JP",  "EUC_KR",
                                                 "GBK",     "BIG5",    "ASCII"};
  return names;
}

std::vector<std::string> library_choices() {
  std::vector<std::string> out;
  for (const auto& v : codegen::variants())
    if (std::find(out.begin(), out.end(), v.library) == out.end()) out.push_back(v.library);
  return out;
}

// "TEXT:{text,json}" -> {text, json}
std::vector<std::string> choices_of(const std::string& type_name) {
  auto open = type_name.find('{');
  auto close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> out;
  for (auto& c : core::split(type_name.substr(open + 1, close - open - 1), ',')) out.push_back(core::trim(c));
  return out;
}

CommandSpec describe(const CLI::App& app) {
  CommandSpec c;
  c.name = app.get_name();
  c.description = app.get_description();
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_positional()) {
      c.positional_files = true;
      continue;
    }
    OptionSpec s;
    s.shorts = o->get_snames();
    s.longs = o->get_lnames();
    s.name = o->get_name();
    s.takes_value = o->get_expected_max() > 0;  // flags expect no value
    if (s.takes_value) s.choices = choices_of(o->get_type_name());
    // Options whose values are open-ended for the parser but have a known useful set.
    if (s.takes_value && s.choices.empty()) {
      if (o->check_lname("encoding")) s.choices = encoding_choices();
      if (o->check_lname("library")) s.choices = library_choices();
      if (o->check_lname("table")) s.tables = true;
    }
    s.description = o->get_description();
    c.options.push_back(std::move(s));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    c.subcommands.push_back(describe(*sub));
  return c;
}

std::string function_name(const std::string& tool) {
  std::string out = "_";
  for (char ch : tool) out += (std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
  return out;
}

// Text safe inside single quotes for every shell we write.
std::string single_quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'')
      out += "'\\''";
    else
      out += ch;
  }
  return out + "'";
}

std::string first_sentence(const std::string& s) {
  auto cut = s.find_first_of("\n(");
  std::string out = core::trim(s.substr(0, cut));
  out.erase(std::remove_if(out.begin(), out.end(), [](char ch) { return ch == '[' || ch == ']'; }), out.end());
  return out;
}

void bash_value_cases(std::ostringstream& os, const std::string& sub, const CommandSpec& c) {
  for (const auto& o : c.options) {
    if (!o.takes_value) continue;
    std::string pattern;
    for (const auto& sp : o.spellings()) pattern += (pattern.empty() ? "" : "|") + sub + ":" + sp;
    if (o.tables)
      os << "    " << pattern << ") COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" --complete-tables "
         << "\"${COMP_WORDS[@]:1}\" 2>/dev/null)\" -- \"$cur\")); return ;;\n";
    else if (o.choices.empty())
      os << "    " << pattern << ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
    else
      os << "    " << pattern << ") COMPREPLY=($(compgen -W " << single_quoted(core::join(o.choices, " "))
         << " -- \"$cur\")); return ;;\n";
  }
}

std::string all_spellings(const CommandSpec& c) {
  std::vector<std::string> words;
  for (const auto& o : c.options)
    for (const auto& sp : o.spellings()) words.push_back(sp);
  return core::join(words, " ");
}

std::string bash(const CommandSpec& tool) {
  std::ostringstream os;
  const std::string fn = function_name(tool.name);
  std::vector<std::string> subs;
  for (const auto& s : tool.subcommands) subs.push_back(s.name);
  os << "# bash completion for " << tool.name << " (generated by `" << tool.name << " --completion bash`)\n";
  os << fn << "() {\n";
  os << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} sub= w opts\n";
  if (!subs.empty()) {
    os << "  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n";
    os << "    case $w in " << core::join(subs, "|") << ") sub=$w; break ;; esac\n";
    os << "  done\n";
  }
  os << "  case \"$sub:$prev\" in\n";
  bash_value_cases(os, "", tool);
  for (const auto& s : tool.subcommands) bash_value_cases(os, s.name, s);
  os << "  esac\n";
  os << "  case $sub in\n";
  os << "    '') opts=" << single_quoted(all_spellings(tool)) << " ;;\n";
  for (const auto& s : tool.subcommands)
    os << "    " << s.name << ") opts=" << single_quoted(all_spellings(s)) << " ;;\n";
  os << "  esac\n";
  os << "  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n";
  if (!subs.empty())
    os << "  elif [[ -z $sub ]]; then\n    COMPREPLY=($(compgen -W " << single_quoted(core::join(subs, " "))
       << " -- \"$cur\"))\n";
  os << "  else\n    COMPREPLY=($(compgen -f -- \"$cur\"))\n  fi\n";
  os << "}\n";
  os << "complete -o filenames -F " << fn << " " << tool.name << "\n";
  return os.str();
}

std::string zsh_arguments(const CommandSpec& c, const std::string& indent, const std::string& tool) {
  std::ostringstream os;
  os << indent << "_arguments -s";
  for (const auto& o : c.options) {
    auto sp = o.spellings();
    std::string exclusion = sp.size() > 1 ? "'(" + core::join(sp, " ") + ")'" : "";
    std::string names = sp.size() > 1 ? "{" + core::join(sp, ",") + "}" : sp.front();
    std::string desc = first_sentence(o.description);
    std::string spec = "[" + desc + "]";
    if (o.tables)
      spec += ":table:{compadd -- ${(f)\"$(" + tool + " --complete-tables ${words[2,-1]} 2>/dev/null)\"}}";
    else if (o.takes_value)
      spec += o.choices.empty() ? ":value:_files" : ":value:(" + core::join(o.choices, " ") + ")";
    os << " \\\n" << indent << "  " << exclusion << names << single_quoted(spec);
  }
  if (c.positional_files) os << " \\\n" << indent << "  '*:file:_files'";
  os << "\n";
  return os.str();
}

std::string zsh(const CommandSpec& tool) {
  std::ostringstream os;
  const std::string fn = function_name(tool.name);
  os << "#compdef " << tool.name << "\n";
  os << "# zsh completion for " << tool.name << " (generated by `" << tool.name << " --completion zsh`)\n";
  os << fn << "() {\n";
  if (tool.subcommands.empty()) {
    os << zsh_arguments(tool, "  ", tool.name);
  } else {
    os << "  if (( CURRENT == 2 )); then\n    local -a subcommands=(\n";
    for (const auto& s : tool.subcommands)
      os << "      " << single_quoted(s.name + ":" + first_sentence(s.description)) << "\n";
    os << "    )\n    _describe command subcommands\n    return\n  fi\n";
    os << "  shift words; (( CURRENT-- ))\n";
    os << "  case $words[1] in\n";
    for (const auto& s : tool.subcommands) {
      os << "    " << s.name << ")\n" << zsh_arguments(s, "      ", tool.name) << "      ;;\n";
    }
    os << "  esac\n";
  }
  os << "}\n";
  os << fn << " \"$@\"\n";
  return os.str();
}

void fish_options(std::ostringstream& os, const std::string& tool, const std::string& condition, const CommandSpec& c) {
  for (const auto& o : c.options) {
    os << "complete -c " << tool;
    if (!condition.empty()) os << " -n " << single_quoted(condition);
    for (const auto& s : o.shorts) os << " -s " << s;
    for (const auto& l : o.longs) os << " -l " << l;
    if (o.tables)
      os << " -x -a " << single_quoted("(" + tool + " --complete-tables (commandline -opc)[2..-1] 2>/dev/null)");
    else if (o.takes_value)
      os << (o.choices.empty() ? " -r -F" : " -x -a " + single_quoted(core::join(o.choices, " ")));
    os << " -d " << single_quoted(first_sentence(o.description)) << "\n";
  }
}

std::string fish(const CommandSpec& tool) {
  std::ostringstream os;
  os << "# fish completion for " << tool.name << " (generated by `" << tool.name << " --completion fish`)\n";
  if (tool.subcommands.empty()) {
    if (!tool.positional_files) os << "complete -c " << tool.name << " -f\n";
    fish_options(os, tool.name, "", tool);
    return os.str();
  }
  std::vector<std::string> subs;
  for (const auto& s : tool.subcommands) subs.push_back(s.name);
  os << "complete -c " << tool.name << " -f\n";
  fish_options(os, tool.name, "__fish_use_subcommand", tool);
  for (const auto& s : tool.subcommands) {
    os << "complete -c " << tool.name << " -n '__fish_use_subcommand' -a " << s.name << " -d "
       << single_quoted(first_sentence(s.description)) << "\n";
    fish_options(os, tool.name, "__fish_seen_subcommand_from " + s.name, s);
  }
  return os.str();
}

}  // namespace

std::string completion_script(const CLI::App& app, const std::string& shell) {
  CommandSpec tool = describe(app);
  if (shell == "bash") return bash(tool);
  if (shell == "zsh") return zsh(tool);
  if (shell == "fish") return fish(tool);
  throw UsageError("unknown shell '" + shell + "' for --completion", "use bash, zsh or fish");
}

namespace {

// The connection part of a half-typed command line; everything else is ignored.
CommonOptions connection_words(const std::vector<std::string>& words) {
  CommonOptions o;
  auto& f = o.connection;
  const std::vector<std::pair<std::vector<std::string>, std::string*>> takes = {
      {{"-c", "--config", "--connconfig", "--filepath"}, &o.config},
      {{"-d", "--dbname"}, &f.dbname},
      {{"-h", "--host"}, &f.host},
      {{"-p", "--port"}, &f.port},
      {{"-U", "--username"}, &f.username},
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--resolve-env") o.resolve_env = true;
    for (const auto& [spellings, target] : takes)
      for (const auto& sp : spellings) {
        if (w == sp && i + 1 < words.size())
          *target = words[i + 1];
        else if (core::starts_with(w, sp + "=") && core::starts_with(sp, "--"))
          *target = w.substr(sp.size() + 1);
      }
  }
  return o;
}

}  // namespace

int complete_tables(const CLI::App& app, int argc, char** argv) {
  (void)app;
  spdlog::default_logger()->set_level(spdlog::level::off);
  try {
    std::vector<std::string> words(argv + 2, argv + argc);
    auto cfg = load_config(connection_words(words));
    // A completion must not hang on an unreachable server.
    if (!cfg.get("connect_timeout") && !std::getenv("PGCONNECT_TIMEOUT"))
      cfg.connection.push_back({"connect_timeout", "3", 0});
    auto conn = db::connect(cfg, app.get_name());
    for (const auto& name : db::visible_table_names(*conn)) out(name);
  } catch (...) {
    // Quietly nothing: the shell then offers no table names.
  }
  return 0;
}

}  // namespace pgmonkey::app
