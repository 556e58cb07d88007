// Privileges rules in the config's database: PUBLIC CREATE, CREATEROLE, untrusted languages.

#include <fmt/format.h>

#include "core/strings.hpp"
#include "server/rule_helpers.hpp"

namespace pgmonkey::server::checks {
namespace {

Outcomes check_public_create(const AuditInput& in) {
  const auto& schemas = in.snapshot.public_create_schemas;
  if (schemas.empty()) return one(Status::ok, "none", "none", "PUBLIC may not CREATE in any schema");
  std::vector<std::string> fixes;
  for (const auto& n : schemas) fixes.push_back("REVOKE CREATE ON SCHEMA " + ident(n) + " FROM PUBLIC;");
  return one(Status::warn, core::join(schemas, ", "), "none",
             "every role may create objects there, and a function or operator planted in a schema on the "
             "search_path can run as whoever calls it (CVE-2018-1058)",
             "in database " + in.snapshot.database + ": " + core::join(fixes, " "));
}

Outcomes check_createrole(const AuditInput& in) {
  const auto& roles = in.snapshot.createrole_roles;
  if (roles.empty()) return one(Status::ok, "none", "none", "no non-superuser has CREATEROLE");
  const bool v16 = in.snapshot.server_version_num >= 160000;
  std::vector<std::string> fixes;
  for (const auto& r : roles) fixes.push_back("ALTER ROLE " + ident(r) + " NOCREATEROLE;");
  return one(Status::warn, core::join(roles, ", "), "none, or a dedicated admin role",
             v16 ? "CREATEROLE creates roles and administers the ones it created: keep it to admin roles"
                 : "before PostgreSQL 16 CREATEROLE may grant itself any non-superuser role, "
                   "pg_execute_server_program included: close to superuser",
             core::join(fixes, " "));
}

Outcomes check_untrusted_languages(const AuditInput& in) {
  const auto& s = in.snapshot;
  if (s.untrusted_languages.empty()) return one(Status::ok, "none", "none", "no untrusted language is installed");
  std::vector<std::string> fixes;
  for (const auto& l : s.untrusted_languages) fixes.push_back("DROP EXTENSION " + ident(l) + ";");
  return one(Status::warn, core::join(s.untrusted_languages, ", "), "none, unless needed",
             fmt::format("code in them runs with the server's OS account; only superusers may write it "
                         "({}), but any role with EXECUTE may call the {} function(s) written in them",
                         core::join(s.superusers, ", "), s.untrusted_functions),
             "if unused, in database " + s.database + ": " + core::join(fixes, " "));
}

}  // namespace

std::vector<Rule> privileges_rules() {
  return {
      {"privileges.public_create", "Privileges", check_public_create, ""},
      {"privileges.createrole", "Privileges", check_createrole, ""},
      {"privileges.untrusted_languages", "Privileges", check_untrusted_languages, ""},
  };
}

}  // namespace pgmonkey::server::checks
