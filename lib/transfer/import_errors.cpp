// pgimport's error reports.
#include "transfer/import_errors.hpp"

#include <fmt/format.h>

#include <vector>

#include "core/strings.hpp"

namespace pgmonkey::transfer {

// A data problem as the user should see it: file:line[:column]: what (and the roll-back note).
[[noreturn]] void throw_data_error(const std::string& source, std::uint64_t line, const std::string& what,
                                   const std::string& hint, bool sent, std::uint64_t column) {
  std::string where = column ? fmt::format("{}:{}:{}", source, line, column) : fmt::format("{}:{}", source, line);
  throw JobError(fmt::format("{}: {}", where, what), {},
                 hint.empty() ? std::string(sent ? kRolledBack : "nothing was imported")
                              : hint + (sent ? std::string("; ") + kRolledBack : std::string()));
}

[[noreturn]] void throw_copy_error(const db::CopyError& e, const std::string& source, const csv::LineMap& map,
                                   const std::function<std::optional<std::uint64_t>(std::uint64_t)>& rescan) {
  db::throw_if_interrupted();
  if (e.connection_lost() || e.sqlstate() == "57P01") {
    std::string what = e.what();
    if (!core::starts_with(what, "lost the connection")) what = "lost the connection to the server: " + what;
    throw JobError(what, {},
                   std::string("the server closed the session (restart, crash, or "
                               "pg_terminate_backend); ") +
                       kRolledBack);
  }
  std::string where = source;
  if (e.copy_line()) {
    // The recent-records ring knows where the record starts; failing that a second run over
    // a regular file finds it; failing that, the line the record ends on.
    std::optional<std::uint64_t> line = map.line_of(*e.copy_line());
    if (!line && rescan) line = rescan(*e.copy_line());
    if (line) {
      where += fmt::format(":{}", *line);
    } else if (auto end = map.find(*e.copy_line())) {
      where += fmt::format(":{} (the record ending on this line)", end->line);
    } else {
      where += fmt::format(" (COPY line {})", *e.copy_line());
    }
  }
  if (!e.column().empty()) where += ", column " + e.column();
  std::vector<std::string> detail;
  if (!e.detail().empty()) detail.push_back(e.detail());
  if (!e.context().empty()) detail.push_back("server context: " + e.context());
  std::string hint = e.hint().empty() ? kRolledBack : e.hint() + "; " + kRolledBack;
  throw JobError(where + ": " + e.what(), core::join(detail, "\n"), hint, e.sqlstate());
}

}  // namespace pgmonkey::transfer
