// Names that let a parallel import left behind by a crash be found again.
#include "transfer/load_marks.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace pgmonkey::transfer {
namespace {

constexpr std::string_view kGidPrefix = "pgmonkey-pgimport:";
constexpr std::string_view kHiddenPrefix = "pgmonkey_load_";
constexpr std::size_t kMaxIdentifierBytes = 63;  // NAMEDATALEN - 1

// Reads a non-negative decimal number up to `stop` (or the end); advances `text` past it and the
// stop character.
std::optional<long long> take_number(std::string_view& text, char stop) {
  const std::size_t end = stop == '\0' ? text.size() : text.find(stop);
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  long long value = 0;
  const char* first = text.data();
  const char* last = text.data() + end;
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last || value < 0 || *first == '+') return std::nullopt;
  text.remove_prefix(stop == '\0' ? end : end + 1);
  return value;
}

}  // namespace

std::string make_gid(const PreparedPart& part) {
  return std::string(kGidPrefix) + std::to_string(part.run.pid) + ":" + std::to_string(part.run.started) + ":" +
         std::to_string(part.part) + "/" + std::to_string(part.parts);
}

std::optional<PreparedPart> parse_gid(std::string_view gid) {
  if (gid.substr(0, kGidPrefix.size()) != kGidPrefix) return std::nullopt;
  gid.remove_prefix(kGidPrefix.size());
  const auto pid = take_number(gid, ':');
  const auto started = pid ? take_number(gid, ':') : std::nullopt;
  const auto part = started ? take_number(gid, '/') : std::nullopt;
  const auto parts = part ? take_number(gid, '\0') : std::nullopt;
  if (!parts || !gid.empty() || *part < 1 || *parts < *part || *parts > 1024) return std::nullopt;
  return PreparedPart{{*pid, *started}, static_cast<int>(*part), static_cast<int>(*parts)};
}

std::pair<int, int> run_lock_key(const LoadRun& run) {
  constexpr int kPgmonkey = 0x70676d6b;  // "pgmk"
  const unsigned long long mixed =
      static_cast<unsigned long long>(run.pid) * 1000003ULL ^ static_cast<unsigned long long>(run.started);
  return {kPgmonkey, static_cast<int>(static_cast<std::uint32_t>(mixed ^ (mixed >> 32)))};
}

Resolution resolve_run(int parts, const std::vector<int>& prepared_parts) {
  const bool has_first = std::find(prepared_parts.begin(), prepared_parts.end(), 1) != prepared_parts.end();
  if (!has_first) return Resolution::commit;  // part 1 committed: the decision was to commit
  std::vector<int> sorted = prepared_parts;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return static_cast<int>(sorted.size()) == parts ? Resolution::commit : Resolution::rollback;
}

std::string hidden_table_name(const std::string& final_table, const LoadRun& run) {
  std::string name = std::string(kHiddenPrefix) + std::to_string(run.pid) + "_" + std::to_string(run.started) + "_";
  std::size_t room = kMaxIdentifierBytes > name.size() ? kMaxIdentifierBytes - name.size() : 0;
  std::size_t take = std::min(room, final_table.size());
  // Back off to a character boundary: never leave half a UTF-8 sequence.
  while (take > 0 && take < final_table.size() && (static_cast<unsigned char>(final_table[take]) & 0xC0) == 0x80)
    --take;
  return name + final_table.substr(0, take);
}

std::optional<LoadRun> parse_hidden_table_name(std::string_view name) {
  if (name.substr(0, kHiddenPrefix.size()) != kHiddenPrefix) return std::nullopt;
  name.remove_prefix(kHiddenPrefix.size());
  const auto pid = take_number(name, '_');
  const auto started = pid ? take_number(name, '_') : std::nullopt;
  if (!started) return std::nullopt;
  return LoadRun{*pid, *started};
}

}  // namespace pgmonkey::transfer
