// How pgimport reports what went wrong: data errors at FILE:LINE[:COLUMN], COPY's errors mapped
// back to the file's lines, statement errors with the roll-back note.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>

#include "core/error.hpp"
#include "csv/line_map.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "db/copy_error.hpp"

namespace pgmonkey::transfer {

inline constexpr const char* kRolledBack = "nothing was imported: the transaction was rolled back";

// Runs a statement step: the toolkit's errors (db::translate_errors), the roll-back note, and
// a cancel caused by Ctrl-C reported as the interruption it was.
template <class F>
auto sql_step(F&& f) -> decltype(f()) {
  try {
    if constexpr (std::is_void_v<decltype(f())>) {
      db::translate_errors(f);
    } else {
      decltype(f()) out{};
      db::translate_errors([&] { out = f(); });
      return out;
    }
  } catch (const JobError& e) {
    db::throw_if_interrupted();
    throw JobError(e.what(), e.detail(), e.hint().empty() ? kRolledBack : e.hint() + "; " + kRolledBack, e.sqlstate());
  }
}

// `sent`: rows had gone to the server (the hint then says the transaction was rolled back).
[[noreturn]] void throw_data_error(const std::string& source, std::uint64_t line, const std::string& what,
                                   const std::string& hint, bool sent, std::uint64_t column = 0);

// COPY's error with its line mapped to the file's: the recent-records ring, else `rescan` (a
// second run over a regular file), else the line the record ends on. Ctrl-C and a lost
// connection are said as such.
[[noreturn]] void throw_copy_error(const db::CopyError& e, const std::string& source, const csv::LineMap& map,
                                   const std::function<std::optional<std::uint64_t>(std::uint64_t)>& rescan);

}  // namespace pgmonkey::transfer
