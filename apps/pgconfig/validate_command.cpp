// pgconfig validate: every finding with file:line, exit 2 on errors, 1 on warnings with --strict.
#include "common/output.hpp"
#include "config/loader.hpp"
#include "core/json.hpp"
#include "pgconfig/commands.hpp"

namespace pgmonkey::app::pgconfig {

CLI::App* setup_validate(CLI::App& app, CommonOptions& common, ValidateOptions& opts) {
  auto* cmd = app.add_subcommand("validate", "Check a config and report every problem with file:line");
  add_config_option(*cmd, common);
  cmd->add_flag("--strict", opts.strict, "Exit 1 when there are warnings");
  add_common_options(*cmd, common);
  return cmd;
}

int run_validate(const CommonOptions& common, const ValidateOptions& opts) {
  auto result = config::load_config(common.config, common.load_options());
  int errors = 0, warnings = 0;
  for (const auto& f : result.findings) (f.severity == config::Severity::error ? errors : warnings)++;
  const bool valid = errors == 0;
  if (common.json()) {
    auto list = core::Json::array();
    for (const auto& f : result.findings) {
      auto o = core::Json::object();
      o.set("severity", f.severity == config::Severity::error ? "error" : "warning");
      o.set("file", f.file).set("line", f.line).set("column", f.column).set("key", f.key);
      o.set("message", f.message).set("hint", f.hint);
      list.push(std::move(o));
    }
    auto j = core::Json::object();
    // With errors the model is incomplete (an unknown type reads as the default): say nothing.
    j.set("file", common.config).set("valid", valid);
    j.set("connection_type", valid ? core::Json(config::to_string(result.config.type)) : core::Json(nullptr));
    j.set("errors", errors).set("warnings", warnings).set("findings", std::move(list));
    out(j.dump());
  } else {
    for (const auto& f : result.findings) out(f.to_string());
    std::string summary = common.config + ": ";
    summary += valid ? "valid (connection_type " + std::string(config::to_string(result.config.type)) + ")" : "invalid";
    summary += ", " + std::to_string(errors) + " error" + (errors == 1 ? "" : "s") + ", " + std::to_string(warnings) +
               " warning" + (warnings == 1 ? "" : "s");
    out(summary);
  }
  if (!valid) return static_cast<int>(ExitCode::usage);
  if (opts.strict && warnings > 0) return static_cast<int>(ExitCode::failed);
  return 0;
}

}  // namespace pgmonkey::app::pgconfig
