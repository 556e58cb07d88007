// The one connection path and the mapping of libpqxx errors to the toolkit's errors.
#include "db/connection.hpp"

#include <libpq-fe.h>
#include <pqxx/except>
#include <pqxx/nontransaction>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "db/connect_failure.hpp"

namespace pgmonkey::db {
namespace {

// libpq's "ERROR:  text\n" without the severity prefix and the trailing newline.
std::string server_message(const char* what) {
  std::string s = core::trim(what);
  for (const char* prefix : {"ERROR:  ", "FATAL:  "})
    if (core::starts_with(s, prefix)) s.erase(0, std::char_traits<char>::length(prefix));
  return s;
}

template <typename T>
bool is(const pqxx::sql_error& e) {
  return dynamic_cast<const T*>(&e) != nullptr;
}

}  // namespace

std::string sqlstate_of(const pqxx::sql_error& e) {
  if (!e.sqlstate().empty()) return e.sqlstate();
  // Most derived first: a subclass also matches its base.
  if (is<pqxx::insufficient_privilege>(e)) return "42501";
  if (is<pqxx::undefined_table>(e)) return "42P01";
  if (is<pqxx::undefined_column>(e)) return "42703";
  if (is<pqxx::undefined_function>(e)) return "42883";
  if (is<pqxx::syntax_error>(e)) return "42601";
  if (is<pqxx::unique_violation>(e)) return "23505";
  if (is<pqxx::not_null_violation>(e)) return "23502";
  if (is<pqxx::foreign_key_violation>(e)) return "23503";
  if (is<pqxx::check_violation>(e)) return "23514";
  if (is<pqxx::restrict_violation>(e)) return "23001";
  if (is<pqxx::integrity_constraint_violation>(e)) return "23000";
  if (is<pqxx::data_exception>(e)) return "22000";
  if (is<pqxx::disk_full>(e)) return "53100";
  if (is<pqxx::out_of_memory>(e)) return "53200";
  if (is<pqxx::insufficient_resources>(e)) return "53000";
  if (is<pqxx::feature_not_supported>(e)) return "0A000";
  if (is<pqxx::invalid_cursor_state>(e)) return "24000";
  if (is<pqxx::invalid_sql_statement_name>(e)) return "26000";
  if (is<pqxx::invalid_cursor_name>(e)) return "34000";
  if (is<pqxx::plpgsql_raise>(e)) return "P0001";
  if (is<pqxx::plpgsql_no_data_found>(e)) return "P0002";
  if (is<pqxx::plpgsql_too_many_rows>(e)) return "P0003";
  if (is<pqxx::plpgsql_error>(e)) return "P0000";
  return {};
}

namespace {

// PQconnectdbParams, or the classified reason it failed.
pg_conn* open_session(const ConnectParams& params) {
  auto keywords = params.keyword_ptrs();
  auto values = params.value_ptrs();
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), 0);
  if (!conn) throw ConnectError(ConnectFailure::unknown, "out of memory while connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw classify_connect_failure(message, params);
  }
  return conn;
}

}  // namespace

#if PQXX_VERSION_MAJOR >= 7
// The parameters are copied, not moved: the order in which the two arguments are evaluated is
// unspecified, and open_session must see them whole.
Connection::Connection(ConnectParams params) : Connection(open_session(params), params) {}

Connection::Connection(pg_conn* raw, const ConnectParams& params)
    : pqxx::connection(pqxx::connection::seize_raw_connection(raw)), raw_(raw), params_(params) {}

Connection::~Connection() noexcept = default;  // pqxx::connection closes, never throwing
#else
ParamsPolicy::ParamsPolicy(ConnectParams params) : pqxx::connectionpolicy(""), params_(std::move(params)) {}

ParamsPolicy::handle ParamsPolicy::do_startconnect(handle orig) {
  if (orig) return orig;
  if (started_) throw pqxx::broken_connection("the connection to the server was lost");
  started_ = true;
  raw_ = open_session(params_);
  return raw_;
}

ParamsPolicy::handle ParamsPolicy::do_disconnect(handle orig) noexcept {
  raw_ = nullptr;
  return pqxx::connectionpolicy::do_disconnect(orig);
}

Connection::Connection(ConnectParams params) : pqxx::connection_base(policy_), policy_(std::move(params)) {
  init();
}

Connection::~Connection() noexcept {
  close();
}
#endif

int libpqxx_major() noexcept {
  return PQXX_VERSION_MAJOR;
}

std::unique_ptr<Connection> connect(const config::Config& config, const std::string& tool_name) {
  return std::make_unique<Connection>(make_params(config, tool_name));
}

std::vector<std::string> apply_session_settings(pqxx::connection_base& conn,
                                                const std::vector<config::Setting>& settings) {
  std::vector<std::string> applied;
  if (settings.empty()) return applied;
  pqxx::nontransaction tx(conn, "session_settings");
  for (const auto& s : settings) {
    try {
      auto r = exec_params(tx, "SELECT pg_catalog.set_config($1, $2, false)", s.key, s.value);
      applied.push_back(r[0][0].c_str());
    } catch (const pqxx::sql_error& e) {
      throw JobError("cannot apply session setting " + s.key + " = '" + s.value + "'", server_message(e.what()),
                     "check the name and value in the config (line " + std::to_string(s.line) + ")", sqlstate_of(e));
    }
  }
  return applied;
}

std::vector<config::Setting> bulk_session_settings(const config::Config& config) {
  std::vector<config::Setting> out;
  for (const auto& s : config.session_settings(config::ConnectionType::normal))
    if (core::to_lower(s.key) != "statement_timeout" && core::to_lower(s.key) != "transaction_timeout")
      out.push_back(s);
  return out;
}

void translate_errors(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const pqxx::broken_connection& e) {
    // Connected, then lost: the job failed (exit 1); "could not connect" is for the start.
    throw JobError("lost the connection to the server: " + server_message(e.what()), {},
                   "the server closed the session (restart, crash, or pg_terminate_backend)");
  } catch (const pqxx::sql_error& e) {
    throw JobError(server_message(e.what()), e.query(), {}, sqlstate_of(e));
  }
}

}  // namespace pgmonkey::db
