// pgconfig generate-code: a runnable starter program for a config, printed or written to a file.
#include <cstdio>

#include "codegen/generate.hpp"
#include "common/output.hpp"
#include "config/create.hpp"
#include "config/loader.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "pgconfig/commands.hpp"

namespace pgmonkey::app::pgconfig {

CLI::App* setup_generate(CLI::App& app, CommonOptions& common, GenerateOptions& opts) {
  auto* cmd = app.add_subcommand("generate-code",
                                 "Print a runnable program that connects with the config and "
                                 "runs SELECT 1 (C++, C or Python; never embeds the password)");
  add_config_option(*cmd, common);
  cmd->add_option("--connection-type", opts.connection_type,
                  "normal, pool, async or async_pool (default: the file's connection_type)")
      ->check(CLI::IsMember({"normal", "pool", "async", "async_pool"}));
  cmd->add_option("--language", opts.language, "cpp, c or python")
      ->check(CLI::IsMember(codegen::languages()))
      ->default_str("cpp");
  cmd->add_option("--library", opts.library,
                  "libpqxx (cpp), libpq (c), psycopg or pgmonkey (python); default: libpqxx, libpq, psycopg");
  cmd->add_option("--libpqxx", opts.libpqxx,
                  "Write C++ for libpqxx 6 or 7 (default: the version pkg-config finds, else pgmonkey's own)")
      ->check(CLI::IsMember({6, 7}));
  cmd->add_option("-o,--output", opts.output, "Write the program to this file (mode 0600) instead of stdout");
  cmd->add_flag("--force", opts.force, "Overwrite an existing output file");
  add_common_options(*cmd, common);
  return cmd;
}

namespace {

// PyYAML reads some unquoted values differently (password: 0755 is the number 493): a Python
// program would connect with something else than the config says, so it is refused.
void refuse_yaml11_surprises(const std::vector<config::Finding>& warnings) {
  for (const auto& w : warnings)
    if (w.message.find("to YAML 1.1 parsers") != std::string::npos)
      throw ConfigError(w.file + ":" + std::to_string(w.line) + ":" + std::to_string(w.column) + ": " + w.key +
                            ": a Python program reads this unquoted value differently (see the warning above)",
                        {}, "quote the value in the config, then generate again");
}

}  // namespace

int run_generate(const CommonOptions& common, const GenerateOptions& opts) {
  std::vector<config::Finding> warnings;
  auto cfg = config::require_config(common.config, common.load_options(), warnings);
  for (const auto& w : warnings) warn(w.to_string(false));
  if (opts.language == "python") refuse_yaml11_surprises(warnings);
  codegen::Request request;
  request.language = opts.language;
  request.library = opts.library;
  request.connection_type = opts.connection_type;
  request.config_path = common.config;
  request.output_path = opts.output;
  request.resolve_env = common.resolve_env;
  request.libpqxx = opts.libpqxx;
  const auto program = codegen::generate(cfg, request);
  const auto& v = program.variant;
  const std::string what = v.language + "/" + v.library +
                           (v.language == "cpp" ? " " + std::to_string(program.libpqxx.major) : "") + ", " +
                           config::to_string(v.type);

  if (!opts.output.empty()) {
    config::write_new_config(opts.output, program.text, opts.force);
  } else if (!common.json()) {
    // Written as is, not through out(): the text never holds the password by construction,
    // and the redactor could garble code that happens to contain a short secret's letters.
    std::fwrite(program.text.data(), 1, program.text.size(), stdout);
    std::fflush(stdout);
  }

  for (const auto& w : program.warnings) warn(w);
  if (v.language == "c" && cfg.has_password())
    info("the config's password is not written into C programs: run it with PGPASSWORD set or a ~/.pgpass entry");
  if (common.json()) {
    auto j = core::Json::object();
    j.set("language", v.language).set("library", v.library).set("connection_type", config::to_string(v.type));
    j.set("template", v.template_path).set("output", opts.output.empty() ? core::Json() : core::Json(opts.output));
    if (v.language == "cpp") j.set("libpqxx", program.libpqxx.major).set("libpqxx_from", program.libpqxx.source);
    j.set("build", program.build_command.empty() ? core::Json() : core::Json(program.build_command));
    j.set("run", program.run_command);
    if (opts.output.empty()) j.set("code", program.text);
    out(j.dump());
  } else if (!opts.output.empty()) {
    out("wrote " + opts.output + " (" + what + ")");
    if (v.language == "cpp")
      info("written for libpqxx " + std::to_string(program.libpqxx.major) + " (" + program.libpqxx.source +
           "); --libpqxx " + (program.libpqxx.major >= 7 ? "6" : "7") + " writes it for the other");
    if (!program.build_command.empty()) info("build it with: " + program.build_command);
    info("run it with: " + program.run_command);
  }
  return 0;
}

}  // namespace pgmonkey::app::pgconfig
