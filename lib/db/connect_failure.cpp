// Classification of libpq connection failures into kinds with hints users can act on.
#include "db/connect_failure.hpp"

#include "core/strings.hpp"

namespace pgmonkey::db {
namespace {

bool has(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

const char* to_string(ConnectFailure kind) {
  switch (kind) {
    case ConnectFailure::unknown:
      return "unknown";
    case ConnectFailure::unknown_host:
      return "unknown_host";
    case ConnectFailure::refused:
      return "refused";
    case ConnectFailure::timeout:
      return "timeout";
    case ConnectFailure::authentication:
      return "authentication";
    case ConnectFailure::database_missing:
      return "database_missing";
    case ConnectFailure::tls:
      return "tls";
    case ConnectFailure::too_many_connections:
      return "too_many_connections";
    case ConnectFailure::starting_up:
      return "starting_up";
  }
  return "unknown";
}

const char* reason(ConnectFailure kind) {
  switch (kind) {
    case ConnectFailure::refused:
      return "refused";
    case ConnectFailure::unknown_host:
      return "unknown_host";
    case ConnectFailure::timeout:
      return "timeout";
    case ConnectFailure::authentication:
      return "auth_failed";
    case ConnectFailure::database_missing:
      return "no_database";
    case ConnectFailure::tls:
      return "tls";
    case ConnectFailure::too_many_connections:
      return "too_many_connections";
    case ConnectFailure::unknown:
    case ConnectFailure::starting_up:
      return "other";
  }
  return "other";
}

std::string connect_sqlstate(const std::string& message) {
  // The server's startup errors, each raised with exactly one code in PostgreSQL's source
  // (auth.c, postinit.c, proc.c, postmaster.c); libpq hands the client only their text.
  struct Known {
    const char* needle;
    const char* sqlstate;
  };
  static const Known known[] = {
      {"password authentication failed", "28P01"},
      {"no pg_hba.conf entry", "28000"},
      {"pg_hba.conf rejects connection", "28000"},
      {"authentication failed for user", "28000"},
      {"permission denied for database", "42501"},
      {"too many connections for role", "53300"},
      {"too many connections for database", "53300"},
      {"sorry, too many clients already", "53300"},
      {"remaining connection slots are reserved", "53300"},
      {"the database system is starting up", "57P03"},
      {"the database system is shutting down", "57P03"},
      {"the database system is in recovery mode", "57P03"},
      {"the database system is not yet accepting connections", "57P03"},
      {"is not currently accepting connections", "55000"},
  };
  for (const auto& k : known)
    if (has(message, k.needle)) return k.sqlstate;
  if (has(message, "FATAL:  role \"") && has(message, "does not exist")) return "28000";
  if (has(message, "FATAL:  database \"") && has(message, "does not exist")) return "3D000";
  return {};
}

bool is_transient(ConnectFailure kind) {
  return kind == ConnectFailure::refused || kind == ConnectFailure::timeout || kind == ConnectFailure::starting_up ||
         kind == ConnectFailure::too_many_connections || kind == ConnectFailure::unknown_host;
}

ConnectError classify_connect_failure(const std::string& libpq_message, const ConnectParams& params) {
  const std::string text = core::trim(libpq_message);
  ConnectFailure kind = ConnectFailure::unknown;
  std::string hint;
  std::string target = params.describe();
  if (target.empty()) target = "the server";
  if (has(text, "could not translate host name") || has(text, "Name or service not known")) {
    kind = ConnectFailure::unknown_host;
    hint = "the host name does not resolve; check " + params.where("host");
  } else if (has(text, "password authentication failed") || has(text, "no password supplied") ||
             has(text, "authentication failed") || has(text, "password is required")) {
    kind = ConnectFailure::authentication;
    hint = "check " + params.where("user") + " and the password (config, -W, PGPASSWORD or ~/.pgpass)";
  } else if (has(text, "no pg_hba.conf entry")) {
    kind = ConnectFailure::authentication;
    hint =
        "the server's pg_hba.conf has no rule for this user, database and address; "
        "`pgserverconfig -c CONFIG` suggests one";
  } else if (has(text, "role \"") && has(text, "does not exist")) {
    kind = ConnectFailure::authentication;
    hint = "the role does not exist; check " + params.where("user");
  } else if (has(text, "permission denied for database")) {
    kind = ConnectFailure::authentication;
    hint = "the role may not connect to this database; a superuser can GRANT CONNECT ON DATABASE to it";
  } else if (has(text, "does not exist") && has(text, "database")) {
    kind = ConnectFailure::database_missing;
    hint = "create the database or fix " + params.where("dbname");
  } else if (has(text, "too many clients") || has(text, "remaining connection slots are reserved") ||
             has(text, "too many connections")) {
    kind = ConnectFailure::too_many_connections;
    hint = "the server is at max_connections (or a role/database limit); lower pool sizes or raise the limit";
  } else if (has(text, "starting up") || has(text, "shutting down") || has(text, "in recovery mode")) {
    kind = ConnectFailure::starting_up;
    hint = "the server is not ready yet; retry with --wait SECONDS";
  } else if (has(text, "SSL") || has(text, "certificate") || has(text, "TLS") || has(text, "ssl")) {
    kind = ConnectFailure::tls;
    if (has(text, "does not support SSL"))
      hint = "the server has ssl = off; enable TLS there or use a weaker sslmode";
    else if (has(text, "root certificate") || has(text, "certificate verify failed"))
      hint = "the server certificate is not signed by the CA in 'sslrootcert'; point it at the right CA file";
    else if (has(text, "does not match host name") || has(text, "server certificate for"))
      hint = "the server certificate is not issued for this host name; fix 'host' or use sslmode verify-ca";
    else
      hint = "TLS negotiation failed; check sslmode, sslrootcert, sslcert and sslkey";
  } else if (has(text, "Connection refused") || has(text, "No such file or directory")) {
    kind = ConnectFailure::refused;
    hint = "nothing accepts connections there; is the server running, and are host and port right (" +
           params.where("host") + ", " + params.where("port") + ")?";
  } else if (has(text, "timeout expired") || has(text, "timed out")) {
    kind = ConnectFailure::timeout;
    hint = "no answer within connect_timeout; check the network path, firewall and host";
  } else {
    hint = "check the connection settings with `pgconfig validate`";
  }
  auto lines = core::split(text, '\n');
  std::string message = "could not connect to " + target + ": " + core::trim(lines.front());
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto l = core::trim(lines[i]);
    if (!l.empty()) message += "; " + l;
  }
  return ConnectError(kind, message, hint);
}

}  // namespace pgmonkey::db
