// What the audit reads from a live server, as plain data, and the read-only queries that fill it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "db/connection.hpp"  // pqxx::connection_base, in either libpqxx version
#include "server/hba.hpp"

namespace pgmonkey::server {

// One row of pg_settings (columns by name).
struct SettingRow {
  std::string setting;
  std::string unit;
  std::string context;
  std::string source;
};

// SettingRow::source of a setting whose application value this role cannot see (see
// read_snapshot: the audit's own startup options override statement_timeout and lock_timeout).
inline constexpr const char* kHiddenSource = "(hidden)";

// Whether a catalog the audit wants could be read by this role.
enum class Access { ok, denied };

// A session setting from the config that pg_settings does not list.
enum class ProbeResult { unknown, hidden };

struct Snapshot {
  int server_version_num = 0;
  std::string server_version;
  std::string user;  // the config's role, as the server sees it
  std::string database;
  bool superuser = false;
  std::map<std::string, SettingRow> settings;          // the rows this role may see
  std::map<std::string, ProbeResult> absent_settings;  // config session settings missing from pg_settings

  Access hba_access = Access::ok;
  std::string hba_hint;  // the grant that would make pg_hba_file_rules readable
  std::vector<HbaRule> hba_rules;

  std::vector<std::string> superusers;  // roles with rolsuper
  std::vector<std::string> member_of;   // roles `user` is a member of, itself included
  // Every role's groups, directly or through other groups, as pg_hba.conf's +group sees them
  // (a superuser is not a member of everything there).
  std::map<std::string, std::vector<std::string>> role_groups;
  struct LoginRole {
    std::string name;
    long long connlimit = -1;
    bool superuser = false;
  };
  std::vector<LoginRole> login_roles;
  long long role_connlimit = -1;
  long long database_connlimit = -1;
  long long client_backends = 0;  // client sessions in pg_stat_activity, including the audit's own

  // What the role may read, asked before reading so a plain role leaves no "permission denied"
  // in the server log.
  bool can_read_all_settings = false;   // superuser or pg_read_all_settings
  bool can_read_all_stats = false;      // superuser or pg_read_all_stats
  bool can_stat_file = false;           // EXECUTE on pg_stat_file(text, boolean)
  bool can_read_file_settings = false;  // pg_file_settings (the postgresql.conf values)
  bool can_read_server_files = false;   // pg_read_file: superuser, or EXECUTE and pg_read_server_files

  // Password hashes (pg_authid, superuser only).
  Access authid_access = Access::denied;
  std::vector<std::string> md5_roles;         // roles whose password is stored as MD5
  std::vector<std::string> password_is_name;  // MD5 hash of name+name: the password is the name
  long long scram_roles = 0;                  // SCRAM verifiers, which cannot be checked that way
  std::string password_check_error;           // why the name check could not run (md5() refused in FIPS mode)

  // Privileges in the config's database.
  std::vector<std::string> public_create_schemas;  // schemas where PUBLIC may CREATE
  std::vector<std::string> createrole_roles;       // non-superusers with CREATEROLE
  std::vector<std::string> untrusted_languages;    // plperlu, plpython3u ...
  long long untrusted_functions = 0;               // functions written in them

  // Connection churn: client sessions of other backends by age (backend_start).
  long long young_sessions = 0;    // started less than a minute ago
  long long visible_sessions = 0;  // whose backend_start this role may see
  long long hidden_sessions = 0;   // other roles' sessions hidden without pg_read_all_stats

  bool session_ssl = false;
  std::string session_ssl_version;
  std::optional<Network> client_address;  // inet_client_addr(); nullopt over a Unix socket

  // ssl_cert_file/ssl_key_file when ssl is off: true present, false missing, absent: not checkable.
  std::map<std::string, bool> files_present;
  // With ssl on: whether ssl_key_file is passphrase-protected (read server-side, only the verdict
  // comes back); nullopt when this role may not read server files.
  std::optional<bool> key_encrypted;

  const SettingRow* setting(const std::string& name) const;
};

// Runs the audit's queries (each its own statement: a denied one does not spoil the rest).
// Decides privilege problems by SQLSTATE 42501. `session_settings` are probed when pg_settings
// does not list them.
Snapshot read_snapshot(pqxx::connection_base& conn, const std::vector<std::string>& session_settings);

// The hint for a role that may not read pg_hba_file_rules (catalog grants are per database).
std::string hba_grant_hint(const std::string& role, const std::string& database);
// The grant that lets `role` check whether files exist (tls.cert_files with ssl off).
std::string stat_file_grant(const std::string& role);
// The grants that let `role` read the configuration files' values.
std::string file_settings_grant(const std::string& role);

}  // namespace pgmonkey::server
