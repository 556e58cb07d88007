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
  std::vector<std::string> member_of;   // roles `user` is a member of
  long long role_connlimit = -1;
  long long database_connlimit = -1;
  long long client_backends = 0;  // client sessions in pg_stat_activity, including the audit's own

  bool session_ssl = false;
  std::string session_ssl_version;
  std::optional<Network> client_address;  // inet_client_addr(); nullopt over a Unix socket

  // ssl_cert_file/ssl_key_file when ssl is off: true present, false missing, absent: not checkable.
  std::map<std::string, bool> files_present;

  const SettingRow* setting(const std::string& name) const;
};

// Runs the audit's queries (each its own statement: a denied one does not spoil the rest).
// Decides privilege problems by SQLSTATE 42501. `session_settings` are probed when pg_settings
// does not list them.
Snapshot read_snapshot(pqxx::connection_base& conn, const std::vector<std::string>& session_settings);

// The hint for a role that may not read pg_hba_file_rules (catalog grants are per database).
std::string hba_grant_hint(const std::string& role, const std::string& database);

}  // namespace pgmonkey::server
