// Turning header fields into column names for a new table, and matching them to an existing one.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgmonkey::csv {

// PostgreSQL's identifier limit (NAMEDATALEN - 1) in bytes.
constexpr std::size_t kMaxIdentifierBytes = 63;

// Rules: lowercase unless `lowercase` is off; runs of characters other than letters, digits
// and _ become one _ (non-ASCII letters are kept); _ trimmed at both ends; a leading digit gets
// "col_" in front, as does a system column's name (xmin, ctid ...); an empty name becomes col_N (N = 1-based position);
// cut to 63 bytes on a character boundary; duplicates get _2, _3 ... still within 63 bytes.
std::vector<std::string> normalise_names(const std::vector<std::string>& header, bool lowercase);

// The table column a header field names: exact, then case-insensitive (when unambiguous), then
// after normalising unless `normalised` is off.
std::optional<std::size_t> match_column(const std::string& header_field, const std::vector<std::string>& columns,
                                        bool normalised = true);

// The column name the Python pgmonkey gives a header field: lowercased, then every character
// other than an ASCII letter, digit or _ becomes one _ each (`Price ($)` -> `price____`,
// `Größe` -> `gr__e`), nothing trimmed. Tables it created are matched through this.
std::string pgmonkey_name(const std::string& header_field);

}  // namespace pgmonkey::csv
