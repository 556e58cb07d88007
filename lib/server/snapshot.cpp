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
                 "r.rolsuper AS superuser, r.rolconnlimit AS role_connlimit, d.datconnlimit AS database_connlimit "
                 "FROM pg_catalog.pg_roles r, pg_catalog.pg_database d "
                 "WHERE r.rolname = current_user AND d.datname = pg_catalog.current_database()");
  const auto& row = r.at(0);
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

void read_hba(pqxx::connection_base& conn, Snapshot& s) {
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
                               "SELECT rolname, rolsuper, pg_catalog.pg_has_role(current_user, oid, 'MEMBER') "
                               "AS is_member FROM pg_catalog.pg_roles")) {
    if (text(row, "rolsuper") == "t") s.superusers.push_back(text(row, "rolname"));
    if (text(row, "is_member") == "t") s.member_of.push_back(text(row, "rolname"));
  }
}

void read_activity(pqxx::connection_base& conn, Snapshot& s) {
  // backend_type tells client sessions from background workers (10+).
  auto r = query(conn,
                 "SELECT count(*) AS sessions FROM pg_catalog.pg_stat_activity "
                 "WHERE backend_type = 'client backend'");
  s.client_backends = r.at(0)["sessions"].as<long long>();
  auto ssl = query(conn, "SELECT ssl, version FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()");
  if (!ssl.empty()) {
    s.session_ssl = text(ssl[0], "ssl") == "t";
    s.session_ssl_version = text(ssl[0], "version");
  }
}

// With ssl off, whether the certificate files exist decides what turning it on takes.
// pg_stat_file needs superuser or an explicit grant; without it the files stay unchecked.
void read_files(pqxx::connection_base& conn, Snapshot& s) {
  const auto* ssl = s.setting("ssl");
  if (!ssl || ssl->setting == "on") return;
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
      throw JobError("PostgreSQL " + s.server_version + " is not supported", {},
                     "pgserverconfig --audit works with PostgreSQL 12 to 17");
    read_settings(conn, s, session_settings);
    read_hba(conn, s);
    read_roles(conn, s);
    read_activity(conn, s);
    read_files(conn, s);
  });
  return s;
}

}  // namespace pgmonkey::server
