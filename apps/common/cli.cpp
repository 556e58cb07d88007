// Shared command-line flags and the one try/catch that maps errors to exit codes.
#include "common/cli.hpp"

#include <csignal>

#include "common/completion.hpp"
#include "common/output.hpp"
#include "core/json.hpp"
#include "core/version.hpp"

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

void add_common_options(CLI::App& app, CommonOptions& opts) {
  app.add_flag("--resolve-env", opts.resolve_env,
               "Substitute ${VAR}, ${VAR:-default}, {from_env: VAR} and {from_file: PATH} in the config");
  app.add_flag("--allow-sensitive-defaults", opts.allow_sensitive_defaults,
               "Allow ${VAR:-default} for password, sslkey, sslcert and sslrootcert");
  app.add_option("--format", opts.format, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  app.add_flag("-v,--verbose", opts.verbose, "Print debug diagnostics on stderr");
  app.add_flag("-q,--quiet", opts.quiet, "Print only errors on stderr");
}

config::Config load_config(const CommonOptions& opts) {
  std::vector<config::Finding> warnings;
  auto cfg = config::require_config(opts.config, opts.load_options(), warnings);
  for (const auto& w : warnings) warn(w.to_string(false));  // warn() says "warning:" already
  return cfg;
}

void describe(CLI::App& app, const std::string& examples) {
  app.set_version_flag("--version", std::string(app.get_name()) + " (pgmonkey) " + kVersion);
  app.footer("Examples:\n" + examples +
             "\nExit status: 0 success, 1 the job failed, 2 usage or configuration error, "
             "3 could not connect, 130 interrupted.");
}

namespace {

void print_json_failure(const std::string& message, const std::string& detail, const std::string& hint, int code) {
  auto j = core::Json::object();
  j.set("ok", false).set("error", message);
  if (!detail.empty()) j.set("detail", detail);
  j.set("hint", hint).set("exit_code", code);
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    if (opts.json() || json_requested(argc, argv))
      print_json_failure(e.what(), {}, "see --help", static_cast<int>(ExitCode::usage));
    return static_cast<int>(ExitCode::usage);
  }
  set_verbosity(opts.verbose, opts.quiet);
  try {
    return body();
  } catch (const Error& e) {
    error(e.what(), e.detail(), e.hint());
    // Scripts reading --format json get a document on failure too, unless the tool wrote its own.
    if (opts.json() && !results_written())
      print_json_failure(e.what(), e.detail(), e.hint(), static_cast<int>(e.code()));
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    error(std::string("internal error: ") + e.what(), {}, "please report this as a bug");
    return static_cast<int>(ExitCode::failed);
  }
}

}  // namespace pgmonkey::app
