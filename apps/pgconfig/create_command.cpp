// pgconfig create: write the commented template, optionally filled from PG* variables.
#include "common/output.hpp"
#include "config/create.hpp"
#include "core/json.hpp"
#include "pgconfig/commands.hpp"

namespace pgmonkey::app::pgconfig {

CLI::App* setup_create(CLI::App& app, CommonOptions& common, CreateOptions& opts) {
  auto* cmd = app.add_subcommand("create", "Write a commented config template (mode 0600)");
  add_config_option(*cmd, common);
  cmd->add_flag("--force", opts.force, "Overwrite an existing file");
  cmd->add_flag("--from-env", opts.from_env,
                "Fill connection_settings from PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE ... "
                "(the password is never written)");
  add_common_options(*cmd, common);
  return cmd;
}

int run_create(const CommonOptions& common, const CreateOptions& opts) {
  auto text = config::render_new_config(opts.from_env);
  config::write_new_config(common.config, text, opts.force);
  if (common.json()) {
    auto j = core::Json::object();
    j.set("created", common.config).set("from_env", opts.from_env).set("mode", "0600");
    out(j.dump());
  } else {
    out("created " + common.config + (opts.from_env ? " from the PG* environment" : "") +
        "; check it with: pgconfig validate -c " + common.config);
  }
  return 0;
}

}  // namespace pgmonkey::app::pgconfig
