// Reading what interrupted parallel imports left on the server, and telling live runs from dead
// ones by the advisory lock each run's coordinating session holds.
#pragma once

#include "db/connection.hpp"
#include "transfer/leftovers.hpp"

namespace pgmonkey::transfer {

// One catalog query: the current database's name, our gids in pg_prepared_xacts (every
// database) and the hidden load tables of every schema. Runs come back marked dead; nothing is
// locked. Throws libpqxx errors.
Leftovers read_leftovers(db::Connection& conn);

// pg_try_advisory_lock on the run's key: true when this session got it, i.e. no session holds
// it and the run is dead; this session then holds it until unlock_run.
bool try_lock_run(db::Connection& conn, const LoadRun& run);
void unlock_run(db::Connection& conn, const LoadRun& run);

// read_leftovers, then each run's lock taken and released again to mark the live ones. Only
// when something was found does it cost more than the one query.
Leftovers find_leftovers(db::Connection& conn);

}  // namespace pgmonkey::transfer
