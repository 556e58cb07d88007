// Small string helpers shared by every module: trimming, splitting, did-you-mean.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgmonkey::core {

std::string trim(std::string_view s);
std::string to_lower(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// Whole-string integer parse; nullopt on any stray character or overflow.
std::optional<long long> parse_int(std::string_view s);
// Whole-string decimal parse (accepts integers too); nullopt otherwise.
std::optional<double> parse_number(std::string_view s);
// YAML-ish booleans: true/false/yes/no/on/off/1/0, any case.
std::optional<bool> parse_bool(std::string_view s);

// Edit distance (insert, delete, substitute, transpose adjacent) between two strings.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The same, worked out only as far as `bound`: anything larger comes back as bound + 1.
// Time O(length x bound), memory O(length).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t bound);
// The closest candidate if it is near enough to be a plausible typo, else empty. The work is
// bounded by the candidates' length, however long `word` is.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace pgmonkey::core
