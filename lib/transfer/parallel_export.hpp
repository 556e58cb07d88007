// pgexport --jobs: several sessions reading one snapshot, each a block range at a time, their
// data written in block order by the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "transfer/export_plan.hpp"

namespace pqxx {
class transaction_base;
}

namespace pgmonkey::db {
class Connection;
}

namespace pgmonkey::transfer {

// Opens one more session the way the app opened the first (config, session settings).
using SessionOpener = std::function<std::unique_ptr<db::Connection>()>;

// Takes ACCESS SHARE on the table in `tx`. The first session takes it right after the catalog
// queries (waiting if it must), so nothing can change the table under the export. A later
// session asking behind a waiting ALTER or TRUNCATE would wait for it, and it for the first
// session: a deadlock the server cannot see. So the others pass `nowait`, as pg_dump's workers
// do, and fail with a JobError saying so.
void lock_for_ranges(pqxx::transaction_base& tx, const CopyRelation& source, bool nowait);

// Runs plan.range_sql on `coordinator`, whose open REPEATABLE READ transaction exported
// `snapshot` and stays open throughout, and on plan.jobs - 1 sessions from `open_session`, each
// importing `snapshot` (SET TRANSACTION SNAPSHOT) in a REPEATABLE READ READ ONLY transaction.
// `write` gets every chunk in block order on this thread, with the rows of the ranges written
// so far; `between` runs between chunks and while waiting (interrupts). Returns the rows. On
// any failure every session's statement is cancelled (its socket shut after
// db::kCancelGraceSeconds without an answer) and every thread joined before the error
// is rethrown.
std::uint64_t run_block_ranges(db::Connection& coordinator, const std::string& snapshot, const ExportPlan& plan,
                               const SessionOpener& open_session,
                               const std::function<void(std::string_view chunk, std::uint64_t rows)>& write,
                               const std::function<void()>& between);

}  // namespace pgmonkey::transfer
