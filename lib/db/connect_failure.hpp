// Turns libpq's connection failure text into a ConnectError with a kind and a one-line hint.
#pragma once

#include <string>

#include "core/error.hpp"
#include "db/connect_params.hpp"

namespace pgmonkey::db {

// libpq reports connection failures as text only (no SQLSTATE reaches the client before the
// session exists), so this is the one place that reads that text.
ConnectError classify_connect_failure(const std::string& libpq_message, const ConnectParams& params);

// Whether waiting and retrying can help (server starting, not yet listening, overloaded).
bool is_transient(ConnectFailure kind);

const char* to_string(ConnectFailure kind);

// The machine-readable `reason` of the JSON failure documents: refused, unknown_host, timeout,
// auth_failed, no_database, tls, too_many_connections or other.
const char* reason(ConnectFailure kind);

// The SQLSTATE the server sent with a startup error, read back from its message (libpq passes
// connection errors to the client as text only); empty when the server sent none, as for a
// refused connection or a timeout.
std::string connect_sqlstate(const std::string& message);

}  // namespace pgmonkey::db
