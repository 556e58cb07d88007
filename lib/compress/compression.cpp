// Names, suffixes, magic bytes and level ranges of the compressed formats.
#include "compress/compression.hpp"

namespace pgmonkey::compress {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr std::string_view kSuffixes[] = {".gz", ".zst", ".bz2", ".xz"};
constexpr Format kBySuffix[] = {Format::gzip, Format::zstd, Format::bzip2, Format::xz};

}  // namespace

std::string_view name(Format f) {
  switch (f) {
    case Format::gzip:
      return "gzip";
    case Format::zstd:
      return "zstd";
    case Format::bzip2:
      return "bzip2";
    case Format::xz:
      return "xz";
    case Format::none:
      break;
  }
  return "none";
}

std::optional<Format> parse(std::string_view s) {
  for (auto f : {Format::none, Format::gzip, Format::zstd, Format::bzip2, Format::xz})
    if (name(f) == s) return f;
  return std::nullopt;
}

Format from_extension(std::string_view path) {
  for (std::size_t i = 0; i < std::size(kSuffixes); ++i)
    if (ends_with(path, kSuffixes[i])) return kBySuffix[i];
  return Format::none;
}

std::string_view extension(std::string_view path) {
  for (auto s : kSuffixes)
    if (ends_with(path, s)) return s;
  return {};
}

Format from_magic(std::string_view h) {
  auto starts = [&](std::string_view m) { return h.substr(0, m.size()) == m; };
  if (starts("\x1f\x8b")) return Format::gzip;
  if (starts("\x28\xb5\x2f\xfd")) return Format::zstd;
  if (starts("BZh") && h.size() >= 4 && h[3] >= '1' && h[3] <= '9') return Format::bzip2;
  if (starts(std::string_view("\xfd"
                              "7zXZ\0",
                              6)))
    return Format::xz;
  return Format::none;
}

LevelRange levels(Format f) {
  switch (f) {
    case Format::gzip:
      return {1, 9, 6};
    case Format::zstd:
      return {1, 19, 3};
    case Format::bzip2:
      return {1, 9, 9};
    case Format::xz:
      return {0, 9, 6};
    case Format::none:
      break;
  }
  return {0, 0, 0};
}

}  // namespace pgmonkey::compress
