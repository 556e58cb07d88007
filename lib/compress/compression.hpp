// The compressed formats pgimport reads and pgexport writes: their names, magic bytes and levels.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgmonkey::compress {

enum class Format { none, gzip, zstd, bzip2, xz };

std::string_view name(Format f);  // "gzip", "zstd", "bzip2", "xz", "none"
// "gzip" etc.; nullopt for anything else.
std::optional<Format> parse(std::string_view name);
// By the file name's last suffix (.gz .zst .bz2 .xz); Format::none otherwise.
Format from_extension(std::string_view path);
// The suffix from_extension knows, or "" (for the sidecar rule).
std::string_view extension(std::string_view path);
// By the magic bytes at the start of `head`; needs up to 6 bytes, none for a shorter head.
Format from_magic(std::string_view head);

struct LevelRange {
  int min, max, fallback;
};
LevelRange levels(Format f);

}  // namespace pgmonkey::compress
