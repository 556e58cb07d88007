// Shared command-line flags and the one try/catch that maps errors to exit codes.
#include "common/cli.hpp"

#include <cstdlib>

#include "common/completion.hpp"
#include "common/output.hpp"
#include "common/password_prompt.hpp"
#include "common/usage.hpp"
#include "core/json.hpp"
#include "core/redact.hpp"
#include "core/version.hpp"
#include "db/connect_failure.hpp"
#include "db/connect_params.hpp"

namespace pgmonkey::app {

config::LoadOptions CommonOptions::load_options() const {
  config::LoadOptions o;
  o.resolve_env = resolve_env;
  o.allow_sensitive_defaults = allow_sensitive_defaults;
  return o;
}

CLI::Option* add_config_option(CLI::App& app, CommonOptions& opts, bool required) {
  auto* o = app.add_option("-c,--config,--connconfig,--filepath", opts.config,
                           "Connection config file (pgmonkey YAML format)");
  if (required) o->required();
  return o;
}

void add_connection_options(CLI::App& app, CommonOptions& opts) {
  const char* group = "Connection options";
  add_config_option(app, opts, false)
      ->group(group)
      ->description(
          "Connection config file (pgmonkey YAML format); without it, libpq's PG* environment and defaults, as psql");
  auto& c = opts.connection;
  app.add_option("-d,--dbname", c.dbname, "Database name, postgresql:// URI or 'key=value ...' connection string")
      ->group(group);
  app.add_option("-h,--host", c.host, "Server host or socket folder")->group(group);
  app.add_option("-p,--port", c.port, "Server port")->group(group);
  app.add_option("-U,--username", c.username, "Database user name")->group(group);
  auto* w = app.add_flag("-w,--no-password", c.never_prompt, "Never prompt for a password")->group(group);
  app.add_flag("-W,--password", c.prompt_password, "Prompt for a password on the terminal (no echo)")
      ->group(group)
      ->excludes(w);
}

void add_common_options(CLI::App& app, CommonOptions& opts) {
  app.add_flag("--resolve-env", opts.resolve_env,
               "Substitute ${VAR}, ${VAR:-default}, {from_env: VAR} and {from_file: PATH} in the config");
  app.add_flag("--allow-sensitive-defaults", opts.allow_sensitive_defaults,
               "Allow ${VAR:-default} for password, sslkey, sslcert and sslrootcert");
  app.add_option("--format", opts.format, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  app.add_flag("-v,--verbose", opts.verbose,
               "Print debug diagnostics on stderr, and where each connection value came from");
  app.add_flag("-q,--quiet", opts.quiet, "Print only errors on stderr");
}

namespace {

void set_connection(config::Config& cfg, const std::string& key, const std::string& value) {
  for (auto& s : cfg.connection) {
    if (s.key != key) continue;
    s.value = value;
    s.line = db::kFromCommandLine;
    return;
  }
  cfg.connection.push_back({key, value, db::kFromCommandLine});
}

void apply_flags(config::Config& cfg, const ConnectionFlags& f) {
  // -d first, so that -h, -p and -U beat the host, port and user inside a URI.
  if (!f.dbname.empty())
    for (const auto& [key, value] : db::parse_dbname_argument(f.dbname)) set_connection(cfg, key, value);
  if (!f.host.empty()) set_connection(cfg, "host", f.host);
  if (!f.port.empty()) set_connection(cfg, "port", f.port);
  if (!f.username.empty()) set_connection(cfg, "user", f.username);
  if (f.prompt_password) {
    // psql's prompt names the user libpq will log in as, wherever that came from.
    std::string user;
    for (const auto& s : db::value_sources(db::make_params(cfg, {})))
      if (s.keyword == "user") user = s.value;
    set_connection(cfg, "password", prompt_password(user.empty() ? "Password: " : "Password for user " + user + ": "));
  }
}

void log_sources(const config::Config& cfg) {
  for (const auto& s : db::value_sources(db::make_params(cfg, {}))) {
    if (s.keyword == "password")
      debug("connection password: set (" + s.origin + ")");
    else
      debug("connection " + s.keyword + " = " + (s.value.empty() ? std::string("(none)") : s.value) + " (" + s.origin +
            ")");
  }
}

}  // namespace

config::Config load_config(const CommonOptions& opts) {
  config::Config cfg;
  if (!opts.config.empty()) {
    std::vector<config::Finding> warnings;
    cfg = config::require_config(opts.config, opts.load_options(), warnings);
    for (const auto& w : warnings) warn(w.to_string(false));  // warn() says "warning:" already
  } else if (const char* pw = std::getenv("PGPASSWORD")) {
    core::register_secret(pw);  // as the loader does for a config
  }
  apply_flags(cfg, opts.connection);
  if (debug_enabled()) log_sources(cfg);
  return cfg;
}

void describe(CLI::App& app, const std::string& examples) {
  // -h is psql's --host; help moves to -?, as in psql (subcommands inherit it).
  app.set_help_flag("-?,--help", "Print this help message and exit");
  app.set_version_flag("--version", std::string(app.get_name()) + " (pgmonkey) " + kVersion);
  app.footer("Examples:\n" + examples +
             "\nExit status: 0 success, 1 the job failed, 2 usage or configuration error, "
             "3 could not connect, 130 interrupted.");
}

namespace {

void print_json_failure(const std::string& message, const std::string& detail, const std::string& hint, int code,
                        const ConnectError* connect) {
  auto j = core::Json::object();
  j.set("ok", false).set("error", message);
  if (!detail.empty()) j.set("detail", detail);
  j.set("hint", hint).set("exit_code", code);
  if (connect) {
    j.set("reason", db::reason(connect->kind()));
    auto sqlstate = db::connect_sqlstate(connect->what());
    if (!sqlstate.empty()) j.set("sqlstate", sqlstate);
  }
  out(j.dump());
}

// CLI11 stores --format only after the other options are parsed and checked, so a parse error
// looks at the command line itself.
bool json_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--format=json" || (a == "--format" && i + 1 < argc && std::string(argv[i + 1]) == "json")) return true;
  }
  return false;
}

}  // namespace

int run(CLI::App& app, int argc, char** argv, const CommonOptions& opts, const std::function<int()>& body) {
  init_logging(app.get_name());
  // Build-time hook (not in --help): the packaging installs what this prints.
  if (argc == 3 && std::string(argv[1]) == "--completion") {
    try {
      out(completion_script(app, argv[2]));
      return 0;
    } catch (const Error& e) {
      error(e.what(), {}, e.hint());
      return static_cast<int>(e.code());
    }
  }
  // Called by the completion scripts for -t/--table: table names, or quietly nothing.
  if (argc >= 2 && std::string(argv[1]) == "--complete-tables") return complete_tables(app, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    auto u = describe_usage_error(app, e);
    error(u.message, {}, u.hint);
    if (opts.json() || json_requested(argc, argv))
      print_json_failure(u.message, {}, u.hint, static_cast<int>(ExitCode::usage), nullptr);
    return static_cast<int>(ExitCode::usage);
  }
  set_verbosity(opts.verbose, opts.quiet);
  try {
    return body();
  } catch (const Error& e) {
    error(e.what(), e.detail(), e.hint());
    // Scripts reading --format json get a document on failure too, unless the tool wrote its own.
    if (opts.json() && !results_written())
      print_json_failure(e.what(), e.detail(), e.hint(), static_cast<int>(e.code()),
                         dynamic_cast<const ConnectError*>(&e));
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    error(std::string("internal error: ") + e.what(), {}, "please report this as a bug");
    return static_cast<int>(ExitCode::failed);
  }
}

}  // namespace pgmonkey::app
