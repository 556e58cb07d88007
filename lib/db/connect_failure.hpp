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

}  // namespace pgmonkey::db
