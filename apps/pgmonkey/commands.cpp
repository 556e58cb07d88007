// The translation table: pgmonkey's spellings and defaults in, the native tools' flags out.
#include "pgmonkey/commands.hpp"

#include <filesystem>

#include "common/output.hpp"
#include "core/error.hpp"
#include "core/version.hpp"
#include "pgmonkey/argparse.hpp"
#include "transfer/sidecar_path.hpp"

namespace pgmonkey::app::compat {
namespace {

const std::vector<std::string> kConnectionTypes = {"normal", "pool", "async", "async_pool"};

CommandSpec create_spec() {
  return {"pgmonkey pgconfig create",
          "Create a new database configuration file.",
          {{{"--type"}, "type", true, false, {"pg"}, "Database type for the configuration template (default pg)."},
           {{"--filepath", "--connconfig"}, "filepath", true, true, {}, "Where to create the configuration file."}}};
}

CommandSpec test_spec() {
  return {"pgmonkey pgconfig test",
          "Test the database connection using a configuration file.",
          {{{"--filepath", "--connconfig"}, "filepath", true, true, {}, "The configuration file to test."},
           {{"--connection-type"},
            "connection_type",
            true,
            false,
            kConnectionTypes,
            "Connection type to test; overrides the one in the file."},
           {{"--resolve-env"}, "resolve_env", false, false, {}, "Resolve ${VAR} and from_env/from_file references."}}};
}

CommandSpec generate_spec() {
  return {"pgmonkey pgconfig generate-code",
          "Generate Python code to connect using a configuration file.",
          {{{"--filepath", "--connconfig"}, "filepath", true, true, {}, "The configuration file to use."},
           {{"--connection-type"},
            "connection_type",
            true,
            false,
            kConnectionTypes,
            "Connection type for the code; overrides the one in the file."},
           {{"--library"},
            "library",
            true,
            false,
            {"pgmonkey", "psycopg"},
            "Target library: pgmonkey (default) or psycopg."}}};
}

CommandSpec server_spec() {
  return {"pgmonkey pgserverconfig",
          "Generate suggested server configuration entries.",
          {{{"--filepath"}, "filepath", true, true, {}, "The config to generate settings for."},
           {{"--audit"}, "audit", false, false, {}, "Compare the live server settings with the recommendations."}}};
}

CommandSpec import_spec() {
  return {"pgmonkey pgimport",
          "Import CSV and text files to the PostgreSQL database.",
          {{{"--import_file"}, "import_file", true, true, {}, "Path to the file to import."},
           {{"--table"}, "table", true, true, {}, "Target table (schema.table or table)."},
           {{"--connconfig"}, "connconfig", true, true, {}, "Path to the connection config file."}}};
}

CommandSpec export_spec() {
  return {"pgmonkey pgexport",
          "Export PostgreSQL table data to a CSV file.",
          {{{"--table"}, "table", true, true, {}, "Source table (schema.table or table)."},
           {{"--connconfig"}, "connconfig", true, true, {}, "Path to the connection config file."},
           {{"--export_file"}, "export_file", true, false, {}, "CSV file to write (default: TABLE.csv)."}}};
}

const char* kTopHelp =
    "usage: pgmonkey [-h] [--version] {pgconfig,pgserverconfig,pgimport,pgexport} ...\n"
    "\n"
    "pgmonkey's command lines, run by the native pgconfig, pgserverconfig, pgimport and pgexport\n"
    "with pgmonkey's semantics (see pgmonkey(1) for every difference).\n"
    "\n"
    "commands:\n"
    "  pgconfig        Manage database configurations (create, test, generate-code)\n"
    "  pgserverconfig  Generate suggested server configuration entries\n"
    "  pgimport        Import CSV and text files to the PostgreSQL database\n"
    "  pgexport        Export PostgreSQL table data to a CSV file\n"
    "\n"
    "options:\n"
    "  -h, --help      show this help message and exit\n"
    "  --version       show program's version number and exit\n"
    "\n"
    "Examples:\n"
    "  pgmonkey pgconfig create --type pg --filepath app.yaml\n"
    "  pgmonkey pgconfig test --connconfig app.yaml --connection-type pool\n"
    "  pgmonkey pgimport --table sales --connconfig app.yaml --import_file sales.csv\n"
    "  pgmonkey pgexport --table sales --connconfig app.yaml --export_file sales.csv\n";

const char* kPgconfigHelp =
    "usage: pgmonkey pgconfig [-h] {create,test,generate-code} ...\n"
    "\n"
    "commands:\n"
    "  create          Create a new database configuration file.\n"
    "  test            Test the database connection using a configuration file.\n"
    "  generate-code   Generate Python code to connect using a configuration file.\n";

// Parses with `spec`; prints --help and returns nullopt-like false when only help was asked.
bool parse_or_help(const CommandSpec& spec, const std::vector<std::string>& args, Parsed& out) {
  out = parse_args(spec, args);
  if (!out.help) return true;
  std::fputs(help_text(spec).c_str(), stdout);
  return false;
}

NativeRun pgconfig(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::fputs(kPgconfigHelp, stdout);
    return {};
  }
  const std::string sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  Parsed p;
  if (sub == "create") {
    if (!parse_or_help(create_spec(), rest, p)) return {};
    const std::string path = p.get("filepath");
    // pgmonkey leaves an existing file alone, says so, and succeeds.
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
      out("Configuration file already exists: " + path + "\nEdit this file to update settings.");
      return {};
    }
    return {"pgconfig", {"create", "-c", path}};
  }
  if (sub == "test") {
    if (!parse_or_help(test_spec(), rest, p)) return {};
    NativeRun r{"pgconfig", {"test", "-c", p.get("filepath")}};
    if (p.has("connection_type")) r.args.insert(r.args.end(), {"--connection-type", p.get("connection_type")});
    if (p.has("resolve_env")) r.args.push_back("--resolve-env");
    return r;
  }
  if (sub == "generate-code") {
    if (!parse_or_help(generate_spec(), rest, p)) return {};
    // pgmonkey prints Python using its own library unless told psycopg.
    NativeRun r{
        "pgconfig",
        {"generate-code", "-c", p.get("filepath"), "--language", "python", "--library", p.get("library", "pgmonkey")}};
    if (p.has("connection_type")) r.args.insert(r.args.end(), {"--connection-type", p.get("connection_type")});
    return r;
  }
  throw UsageError("argument pgconfig_command: invalid choice: '" + sub + "' (choose from create, test, generate-code)",
                   "Try 'pgmonkey pgconfig --help' for more information.");
}

NativeRun pgimport(const Parsed& p) {
  const std::string file = p.get("import_file");
  // pgmonkey's review-first flow: without an import config next to the file, write one and
  // import nothing; the next run imports with it.
  if (transfer::find_sidecar(file, p.get("connconfig")).empty()) return {"pgimport", {"--write-import-config", file}};
  return {"pgimport", {"-c", p.get("connconfig"), "--table", p.get("table"), file}};
}

NativeRun pgexport(const Parsed& p) {
  // pgmonkey replaces the CSV file of an earlier run.
  NativeRun r{"pgexport", {"-c", p.get("connconfig"), "--table", p.get("table"), "--force"}};
  if (p.has("export_file")) r.args.insert(r.args.end(), {"-o", p.get("export_file")});
  return r;
}

}  // namespace

std::vector<const CommandSpec*> command_specs() {
  static const CommandSpec specs[] = {create_spec(), test_spec(),   generate_spec(),
                                      server_spec(), import_spec(), export_spec()};
  std::vector<const CommandSpec*> out;
  for (const auto& s : specs) out.push_back(&s);
  return out;
}

NativeRun translate(const std::vector<std::string>& args) {
  const std::string hint = "Try 'pgmonkey --help' for more information.";
  if (args.empty()) {
    std::fputs(kTopHelp, stdout);
    throw UsageError("a command is required: pgconfig, pgserverconfig, pgimport or pgexport", hint);
  }
  const std::string& cmd = args[0];
  if (cmd == "-h" || cmd == "--help") {
    std::fputs(kTopHelp, stdout);
    return {};
  }
  if (cmd == "--version") {
    out(std::string("pgmonkey (pgmonkey C++ tools) ") + kVersion);
    return {};
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "pgconfig") return pgconfig(rest);
  Parsed p;
  if (cmd == "pgserverconfig") {
    if (!parse_or_help(server_spec(), rest, p)) return {};
    NativeRun r{"pgserverconfig", {"-c", p.get("filepath")}};
    if (p.has("audit")) r.args.push_back("--audit");
    return r;
  }
  if (cmd == "pgimport") return parse_or_help(import_spec(), rest, p) ? pgimport(p) : NativeRun{};
  if (cmd == "pgexport") return parse_or_help(export_spec(), rest, p) ? pgexport(p) : NativeRun{};
  throw UsageError(
      "argument command: invalid choice: '" + cmd + "' (choose from pgconfig, pgserverconfig, pgimport, pgexport)",
      hint);
}

}  // namespace pgmonkey::app::compat
