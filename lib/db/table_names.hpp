// The tables a session can see, for shell completion of -t/--table.
#pragma once

#include "db/connection.hpp"

#include <string>
#include <vector>

namespace pgmonkey::db {

// Tables, views, materialized views and foreign tables outside the system schemas that the
// session's role may SELECT from: "name" for the first schema on the search_path that has it,
// else "schema.name"; parts quoted only where the server would need quotes.
std::vector<std::string> visible_table_names(Connection& conn);

}  // namespace pgmonkey::db
