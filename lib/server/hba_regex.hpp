// pg_hba.conf /regex entries (PostgreSQL 16+) matched in bounded time, or left undecided.
#pragma once

#include <cstddef>
#include <string>

namespace pgmonkey::server {

enum class RegexVerdict { match, no_match, undecided };

struct RegexResult {
  RegexVerdict verdict = RegexVerdict::no_match;
  std::string reason;  // why undecided: a construct we do not simulate, or the step limit
};

// Searches `subject` for `pattern` (the entry without its leading slash) the way the server's
// unanchored regexec does, for the subset of PostgreSQL's ARE that HBA entries use: literals, .,
// [classes], \d \w \s (and negations), ^ $, groups, |, * + ? {m,n} (greedy or lazy). A
// Thompson-NFA simulation: time is linear in pattern x subject, and `step_limit` caps it anyway.
// Anything else (back-references, [:classes:], embedded options, stacked quantifiers) is
// undecided rather than guessed.
RegexResult hba_regex_search(const std::string& pattern, const std::string& subject, std::size_t step_limit = 1000000);

}  // namespace pgmonkey::server
