// pgconfig create: write the commented template, filled from PG* variables or a DSN if asked.
#include "common/output.hpp"
#include "config/create.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "db/connect_params.hpp"
#include "pgconfig/commands.hpp"

namespace pgmonkey::app::pgconfig {

CLI::App* setup_create(CLI::App& app, CommonOptions& common, CreateOptions& opts) {
  auto* cmd = app.add_subcommand("create", "Write a commented config template (mode 0600)");
  add_config_option(*cmd, common);
  cmd->add_flag("--force", opts.force, "Overwrite an existing file");
  auto* env = cmd->add_flag("--from-env", opts.from_env,
                            "Write the connection settings libpq would take from PGSERVICE, PGHOST, PGPORT, PGUSER, "
                            "PGDATABASE, PGSSLMODE ... (unset ones stay libpq's defaults; never the password)");
  auto* dsn = cmd->add_option("--from-dsn", opts.from_dsn,
                              "Write the connection settings of a postgresql:// URI or 'key=value ...' string")
                  ->excludes(env);
  cmd->add_flag("--with-password", opts.with_password, "With --from-dsn: keep the DSN's password in the file")
      ->needs(dsn);
  add_common_options(*cmd, common);
  return cmd;
}

int run_create(const CommonOptions& common, const CreateOptions& opts) {
  std::string text;
  std::string from;
  if (!opts.from_dsn.empty()) {
    auto settings = db::parse_dbname_argument(opts.from_dsn);
    if (settings.size() == 1 && settings.front().first == "dbname" && opts.from_dsn.find('=') == std::string::npos &&
        opts.from_dsn.find("://") == std::string::npos)
      throw UsageError("--from-dsn wants a postgresql:// URI or 'key=value ...' string, got a plain name",
                       "e.g. --from-dsn postgresql://app@db.example:5432/appdb");
    text = config::render_config_from_settings(settings, opts.with_password, "Filled in from a connection URI");
    from = " from the DSN" + std::string(opts.with_password ? " (with its password)" : " (password left out)");
  } else if (opts.from_env) {
    text = config::render_new_config(true);
    auto vars = config::env_variables_set();
    from = vars.empty() ? " with libpq's defaults only: no PG* variable is set" : " from " + core::join(vars, ", ");
  } else {
    text = config::render_new_config(false);
  }
  config::write_new_config(common.config, text, opts.force);
  if (common.json()) {
    auto j = core::Json::object();
    j.set("created", common.config).set("from_env", opts.from_env).set("from_dsn", !opts.from_dsn.empty());
    if (opts.from_env) {
      auto vars = core::Json::array();
      for (const auto& v : config::env_variables_set()) vars.push(v);
      j.set("variables", std::move(vars));
    }
    j.set("mode", "0600");
    out(j.dump());
  } else {
    out("created " + common.config + from + "; check it with: pgconfig validate -c " + common.config);
  }
  return 0;
}

}  // namespace pgmonkey::app::pgconfig
