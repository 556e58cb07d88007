// The audit's read-only queries: columns by name, branching on server_version_num (12-17).
#include "server/snapshot.hpp"

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <functional>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/connection.hpp"
#include "db/quote.hpp"

namespace pgmonkey::server {
namespace {

constexpr const char* kInsufficientPrivilege = "42501";

// Each query gets its own statement-level transaction so a permission error leaves the session
// usable for the next one.
pqxx::result query(pqxx::connection_base& conn, const std::string& sql, const std::string& param = {},
                   bool with_param = false) {
  pqxx::nontransaction tx(conn, "audit");
  return with_param ? db::exec_params(tx, sql, param) : tx.exec(sql);
}

std::string text(const pqxx::row& row, const char* column) {
  const auto& f = row[column];
  return f.is_null() ? std::string() : std::string(f.c_str());
}

// text[] columns arrive joined by the unit separator, which no name or option contains.
std::vector<std::string> list(const pqxx::row& row, const char* column) {
  auto s = text(row, column);
  if (s.empty()) return {};
  return core::split(s, '\x1f');
}

// By SQLSTATE (db::sqlstate_of), never by the message text.
bool is_denied(const pqxx::sql_error& e) {
  return db::sqlstate_of(e) == kInsufficientPrivilege;
}

void read_identity(pqxx::connection_base& conn, Snapshot& s) {
  auto r = query(conn,
                 "SELECT pg_catalog.current_setting('server_version_num')::int AS version_num, "
                 "pg_catalog.current_setting('server_version') AS version, current_user AS role_name, "
                 "pg_catalog.current_database() AS database, pg_catalog.inet_client_addr()::text AS client_addr, "
                 "r.rolsuper AS superuser, r.rolconnlimit AS role_connlimit, d.datconnlimit AS database_connlimit, "
                 // Asked first, so the audit only reads what it may and logs no permission errors.
                 "pg_catalog.pg_has_role(current_user, 'pg_read_all_settings', 'USAGE') AS read_all_settings, "
                 "pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats, "
                 "pg_catalog.has_function_privilege('pg_catalog.pg_stat_file(text, boolean)', 'EXECUTE') "
                 "AS stat_file, "
                 "pg_catalog.has_table_privilege('pg_catalog.pg_hba_file_rules', 'SELECT') AND "
                 "pg_catalog.has_function_privilege('pg_catalog.pg_hba_file_rules()', 'EXECUTE') AS read_hba, "
                 "pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS read_authid, "
                 "pg_catalog.has_table_privilege('pg_catalog.pg_file_settings', 'SELECT') AND "
                 "pg_catalog.has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE') "
                 "AS read_file_settings, "
                 "pg_catalog.has_function_privilege('pg_catalog.pg_read_file(text, bigint, bigint, boolean)', "
                 "'EXECUTE') AND pg_catalog.pg_has_role(current_user, 'pg_read_server_files', 'USAGE') "
                 "AS read_server_files "
                 "FROM pg_catalog.pg_roles r, pg_catalog.pg_database d "
                 "WHERE r.rolname = current_user AND d.datname = pg_catalog.current_database()");
  const auto& row = r.at(0);
  s.can_read_all_settings = text(row, "read_all_settings") == "t";
  s.can_read_all_stats = text(row, "read_all_stats") == "t";
  s.can_stat_file = text(row, "stat_file") == "t";
  s.can_read_file_settings = text(row, "read_file_settings") == "t";
  s.can_read_server_files = text(row, "read_server_files") == "t";
  if (text(row, "read_hba") != "t") s.hba_access = Access::denied;
  s.authid_access = text(row, "read_authid") == "t" ? Access::ok : Access::denied;
  s.server_version_num = row["version_num"].as<int>();
  s.server_version = text(row, "version");
  s.user = text(row, "role_name");
  s.database = text(row, "database");
  s.superuser = text(row, "superuser") == "t";
  s.role_connlimit = row["role_connlimit"].as<long long>();
  s.database_connlimit = row["database_connlimit"].as<long long>();
  auto addr = text(row, "client_addr");
  if (!addr.empty()) s.client_address = parse_cidr(addr);
}

void read_settings(pqxx::connection_base& conn, Snapshot& s, const std::vector<std::string>& wanted) {
  auto r = query(conn, "SELECT name, setting, unit, context, source FROM pg_catalog.pg_settings");
  for (const auto& row : r)
    s.settings[text(row, "name")] = {text(row, "setting"), text(row, "unit"), text(row, "context"),
                                     text(row, "source")};
  for (const auto& name : wanted) {
    if (s.setting(name) || s.absent_settings.count(name)) continue;
    // Without pg_read_all_settings the probe of a superuser-only setting would be refused.
    if (!s.can_read_all_settings) {
      s.absent_settings[name] = ProbeResult::hidden;
      continue;
    }
    try {
      auto v = query(conn, "SELECT pg_catalog.current_setting($1, true) AS value", name, true);
      // NULL: the server has no such setting; a value it would not list is one we may not see.
      s.absent_settings[name] = v.at(0)["value"].is_null() ? ProbeResult::unknown : ProbeResult::hidden;
    } catch (const pqxx::sql_error& e) {
      if (!is_denied(e)) throw;
      s.absent_settings[name] = ProbeResult::hidden;
    }
  }
}

// The audit's startup options set statement_timeout and lock_timeout for its own session (so a
// role's '1ms' cannot break it); pg_settings then shows the audit's values. The rules judge what
// the application's sessions get, so look underneath: role and database settings (readable by
// everyone), then the configuration files (pg_file_settings), then the built-in default.
void read_overridden(pqxx::connection_base& conn, Snapshot& s) {
  static const std::vector<std::string> names{"statement_timeout", "lock_timeout"};
  // pg_settings' source names, most specific first (PostgreSQL's precedence).
  std::map<std::string, std::pair<int, std::string>> found;  // name -> (rank, value)
  for (const auto& row :
       query(conn,
             "SELECT setdatabase <> 0 AS for_database, setrole <> 0 AS for_role, "
             "pg_catalog.array_to_string(setconfig, chr(31)) AS config "
             "FROM pg_catalog.pg_db_role_setting WHERE setdatabase IN (0, "
             "(SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())) "
             "AND setrole IN (0, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))")) {
    const bool db = text(row, "for_database") == "t", role = text(row, "for_role") == "t";
    const int rank = db && role ? 4 : role ? 3 : db ? 2 : 1;
    for (const auto& entry : list(row, "config")) {
      const auto eq = entry.find('=');
      if (eq == std::string::npos) continue;
      const auto name = entry.substr(0, eq);
      auto it = found.find(name);
      if (it == found.end() || it->second.first < rank) found[name] = {rank, entry.substr(eq + 1)};
    }
  }
  static const char* const sources[] = {"", "global", "database", "user", "database user"};
  for (const auto& name : names) {
    auto it = s.settings.find(name);
    if (it == s.settings.end() || it->second.source != "client") continue;
    auto& row = it->second;
    if (auto f = found.find(name); f != found.end()) {
      row.setting = f->second.second;
      row.source = sources[f->second.first];
    } else if (s.can_read_file_settings) {
      auto r = query(conn,
                     "SELECT f.setting, s.boot_val FROM pg_catalog.pg_settings s LEFT JOIN "
                     "pg_catalog.pg_file_settings f ON f.name = s.name AND f.applied WHERE s.name = $1",
                     name, true);
      const bool in_file = !r.empty() && !r[0]["setting"].is_null();
      row.setting = r.empty() ? "" : text(r[0], in_file ? "setting" : "boot_val");
      row.source = in_file ? "configuration file" : "default";
    } else {
      row.setting.clear();
      row.source = kHiddenSource;
    }
  }
}

void read_hba(pqxx::connection_base& conn, Snapshot& s) {
  if (s.hba_access == Access::denied) {
    s.hba_hint = hba_grant_hint(s.user, s.database);
    return;
  }
  // rule_number and file_name arrived in 16 (include files); before, the line number is the order.
  const bool v16 = s.server_version_num >= 160000;
  std::string sql = std::string("SELECT ") + (v16 ? "rule_number, file_name, " : "") +
                    "line_number, type, pg_catalog.array_to_string(database, chr(31)) AS database, "
                    "pg_catalog.array_to_string(user_name, chr(31)) AS user_name, address, netmask, auth_method, "
                    "pg_catalog.array_to_string(options, chr(31)) AS options, error "
                    "FROM pg_catalog.pg_hba_file_rules";
  try {
    for (const auto& row : query(conn, sql)) {
      HbaRule h;
      h.line_number = row["line_number"].as<int>();
      if (v16) {
        if (!row["rule_number"].is_null()) h.rule_number = row["rule_number"].as<int>();
        h.file_name = text(row, "file_name");
      }
      h.type = text(row, "type");
      h.databases = list(row, "database");
      h.users = list(row, "user_name");
      h.address = text(row, "address");
      h.netmask = text(row, "netmask");
      h.auth_method = text(row, "auth_method");
      h.options = list(row, "options");
      h.error = text(row, "error");
      s.hba_rules.push_back(std::move(h));
    }
  } catch (const pqxx::sql_error& e) {
    if (!is_denied(e)) throw;
    s.hba_access = Access::denied;
    s.hba_hint = hba_grant_hint(s.user, s.database);
  }
}

void read_roles(pqxx::connection_base& conn, Snapshot& s) {
  for (const auto& row : query(conn,
                               "SELECT rolname, rolsuper, rolcanlogin, rolconnlimit, rolcreaterole "
                               "FROM pg_catalog.pg_roles ORDER BY rolname")) {
    const auto name = text(row, "rolname");
    const bool super = text(row, "rolsuper") == "t";
    if (super) s.superusers.push_back(name);
    if (text(row, "rolcanlogin") == "t") s.login_roles.push_back({name, row["rolconnlimit"].as<long long>(), super});
    if (!super && text(row, "rolcreaterole") == "t") s.createrole_roles.push_back(name);
  }
  // Membership through pg_auth_members, not pg_has_role: for a superuser pg_has_role says
  // member of everything, while pg_hba.conf's +group and samerole ignore superuserness.
  for (const auto& row : query(conn,
                               // Every statement starts with SELECT or SHOW, so the server log proves the
                               // audit read-only at a glance: the recursive CTE sits in a subquery.
                               "SELECT r.rolname AS member_name, g.rolname AS group_name FROM ("
                               "WITH RECURSIVE m(member, roleid) AS ("
                               "SELECT member, roleid FROM pg_catalog.pg_auth_members UNION "
                               "SELECT m.member, a.roleid FROM m JOIN pg_catalog.pg_auth_members a "
                               "ON a.member = m.roleid) SELECT member, roleid FROM m) AS m "
                               "JOIN pg_catalog.pg_roles r ON r.oid = m.member "
                               "JOIN pg_catalog.pg_roles g ON g.oid = m.roleid ORDER BY 1, 2"))
    s.role_groups[text(row, "member_name")].push_back(text(row, "group_name"));
  s.member_of = {s.user};
  if (auto it = s.role_groups.find(s.user); it != s.role_groups.end())
    s.member_of.insert(s.member_of.end(), it->second.begin(), it->second.end());
}

// Only with SELECT on pg_authid (superusers); the hashes never leave the server, only verdicts.
void read_passwords(pqxx::connection_base& conn, Snapshot& s) {
  if (s.authid_access != Access::ok) return;
  for (const auto& row : query(conn,
                               "SELECT rolname, rolpassword LIKE 'md5%' AS is_md5, "
                               "rolpassword LIKE 'SCRAM-SHA-256$%' AS is_scram "
                               "FROM pg_catalog.pg_authid WHERE rolpassword IS NOT NULL ORDER BY rolname")) {
    const auto name = text(row, "rolname");
    if (text(row, "is_md5") == "t") s.md5_roles.push_back(name);
    if (text(row, "is_scram") == "t") ++s.scram_roles;
  }
  if (s.md5_roles.empty()) return;
  // md5() is refused on a server in FIPS mode; the rest of the audit goes on without this check.
  try {
    for (const auto& row : query(conn,
                                 "SELECT rolname FROM pg_catalog.pg_authid WHERE rolpassword LIKE 'md5%' AND "
                                 "rolpassword = 'md5' || pg_catalog.md5(rolname::text || rolname::text) "
                                 "ORDER BY rolname"))
      s.password_is_name.push_back(text(row, "rolname"));
  } catch (const pqxx::sql_error& e) {
    s.password_check_error = db::sqlstate_of(e) + ": " + e.what();
  }
}

void read_privileges(pqxx::connection_base& conn, Snapshot& s) {
  // A NULL ACL means the default, which for schemas is the owner only.
  for (const auto& row : query(conn,
                               "SELECT n.nspname FROM pg_catalog.pg_namespace n, "
                               "pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a "
                               "WHERE a.grantee = 0 AND a.privilege_type = 'CREATE' ORDER BY 1"))
    s.public_create_schemas.push_back(text(row, "nspname"));
  for (const auto& row : query(conn,
                               "SELECT l.lanname, (SELECT count(*) FROM pg_catalog.pg_proc p "
                               "WHERE p.prolang = l.oid) AS functions FROM pg_catalog.pg_language l "
                               "WHERE l.lanispl AND NOT l.lanpltrusted ORDER BY 1")) {
    s.untrusted_languages.push_back(text(row, "lanname"));
    s.untrusted_functions += row["functions"].as<long long>();
  }
}

void read_activity(pqxx::connection_base& conn, Snapshot& s) {
  // backend_type tells client sessions from background workers (10+). Other roles' backend_start
  // is NULL without pg_read_all_stats.
  auto r = query(conn,
                 "SELECT count(*) AS sessions, "
                 "count(*) FILTER (WHERE pid <> pg_catalog.pg_backend_pid() AND backend_start IS NULL) AS hidden, "
                 "count(*) FILTER (WHERE pid <> pg_catalog.pg_backend_pid() AND backend_start IS NOT NULL) "
                 "AS visible, "
                 "count(*) FILTER (WHERE pid <> pg_catalog.pg_backend_pid() "
                 "AND backend_start > pg_catalog.now() - interval '1 minute') AS young "
                 "FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'");
  s.client_backends = r.at(0)["sessions"].as<long long>();
  s.hidden_sessions = r.at(0)["hidden"].as<long long>();
  s.visible_sessions = r.at(0)["visible"].as<long long>();
  s.young_sessions = r.at(0)["young"].as<long long>();
  auto ssl = query(conn, "SELECT ssl, version FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()");
  if (!ssl.empty()) {
    s.session_ssl = text(ssl[0], "ssl") == "t";
    s.session_ssl_version = text(ssl[0], "version");
  }
}

// With ssl off, whether the certificate files exist decides what turning it on takes.
// pg_stat_file needs superuser or an explicit grant; without it the files stay unchecked.
// With ssl on, whether the key is passphrase-protected: PEM marks it ENCRYPTED near the top
// (PKCS#8 "BEGIN ENCRYPTED PRIVATE KEY", or "Proc-Type: 4,ENCRYPTED"). The server reads the first
// bytes and returns only the verdict: no key material reaches the audit.
void read_key_encryption(pqxx::connection_base& conn, Snapshot& s) {
  const auto* ssl = s.setting("ssl");
  const auto* key = s.setting("ssl_key_file");
  if (!ssl || ssl->setting != "on" || !key || key->setting.empty() || !s.can_read_server_files) return;
  auto r = query(conn,
                 "SELECT pg_catalog.strpos(pg_catalog.pg_read_file($1, 0, 512, true), 'ENCRYPTED') > 0 "
                 "AS encrypted",
                 key->setting, true);
  if (!r.empty() && !r[0]["encrypted"].is_null()) s.key_encrypted = text(r[0], "encrypted") == "t";
}

void read_files(pqxx::connection_base& conn, Snapshot& s) {
  const auto* ssl = s.setting("ssl");
  if (!ssl || ssl->setting == "on" || !s.can_stat_file) return;
  for (const char* name : {"ssl_cert_file", "ssl_key_file"}) {
    const auto* f = s.setting(name);
    if (!f || f->setting.empty()) continue;
    try {
      auto r = query(conn, "SELECT size FROM pg_catalog.pg_stat_file($1, true)", f->setting, true);
      s.files_present[name] = !r.empty() && !r[0]["size"].is_null();
    } catch (const pqxx::sql_error& e) {
      if (!is_denied(e)) throw;
      return;
    }
  }
}

}  // namespace

const SettingRow* Snapshot::setting(const std::string& name) const {
  auto it = settings.find(name);
  return it == settings.end() ? nullptr : &it->second;
}

std::string stat_file_grant(const std::string& role) {
  return "GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_file(text, boolean) TO " +
         db::quote_ident(role.empty() ? "app" : role);
}

std::string file_settings_grant(const std::string& role) {
  const auto r = db::quote_ident(role.empty() ? "app" : role);
  return "GRANT SELECT ON pg_catalog.pg_file_settings TO " + r +
         "; GRANT EXECUTE ON FUNCTION pg_catalog.pg_show_all_file_settings() TO " + r;
}

std::string hba_grant_hint(const std::string& role, const std::string& database) {
  const auto r = db::quote_ident(role.empty() ? "app" : role);
  return "in database " + database + ": GRANT SELECT ON pg_catalog.pg_hba_file_rules TO " + r +
         "; GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO " + r + " (or audit as a superuser)";
}

Snapshot read_snapshot(pqxx::connection_base& conn, const std::vector<std::string>& session_settings) {
  Snapshot s;
  db::translate_errors([&] {
    read_identity(conn, s);
    if (s.server_version_num < 120000)
      throw ConfigError("PostgreSQL " + s.server_version + " is not supported", {},
                        "pgserverconfig --audit works with PostgreSQL 12 to 17");
    read_settings(conn, s, session_settings);
    read_overridden(conn, s);
    read_hba(conn, s);
    read_roles(conn, s);
    read_passwords(conn, s);
    read_privileges(conn, s);
    read_activity(conn, s);
    read_files(conn, s);
    read_key_encryption(conn, s);
  });
  return s;
}

}  // namespace pgmonkey::server
