// The dialect flags both tools take, as typed, combined with the sidecar into what was given.
#pragma once

#include <optional>
#include <string>

#include "csv/dialect.hpp"
#include "transfer/sidecar.hpp"

namespace pgmonkey::transfer {

struct DialectFlags {
  std::optional<std::string> delimiter, quote, encoding, null_string;
  std::optional<bool> header;
};

// Flags win over the sidecar; every option either sets carries its source (user or sidecar),
// the rest stay open for detection (pgimport) or keep their defaults (pgexport). Delimiter and
// quote go through csv::parse_char_option. Throws UsageError naming the flag or the file.
csv::Dialect given_dialect(const DialectFlags& flags, const Sidecar* sidecar);

}  // namespace pgmonkey::transfer
