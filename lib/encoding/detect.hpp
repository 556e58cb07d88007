// Which text encoding a file uses: byte-order mark first, then a strict UTF-8 check, then uchardet.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pgmonkey::encoding {

struct Bom {
  std::string encoding;  // iconv name: UTF-8, UTF-16LE, UTF-16BE, UTF-32LE, UTF-32BE
  std::size_t length = 0;
};

// UTF-32 is tested before UTF-16 because FF FE 00 00 starts with the UTF-16LE mark.
std::optional<Bom> detect_bom(std::string_view head);

struct EncodingChoice {
  std::string name;            // iconv name, e.g. UTF-8, WINDOWS-1252, UTF-16LE
  std::size_t bom_length = 0;  // bytes to skip at the start
  bool user_set = false;       // named, not detected
  std::string named_in;        // where it was named when not on the command line, e.g. "data.yaml"
  std::string how;             // why this one: "byte-order mark", "strict UTF-8 check of 64 KiB", ...
  std::string warning;         // set when the data contradicts the user's choice (a BOM of another encoding)

  bool is_utf8() const { return name == "UTF-8"; }
  // "UTF-8 (detected: strict UTF-8 check of 64 KiB)" or "LATIN1 (set by you)".
  std::string describe() const;
};

// At least this much is handed to uchardet when the file is that long.
constexpr std::size_t kDetectSampleBytes = 64 * 1024;

// `sample` is the start of the stream; `whole` says it is all of it. Throws JobError when
// nothing fits (hint: --encoding).
EncodingChoice detect_encoding(std::string_view sample, bool whole);

// The user's choice (--encoding or the sidecar's `encoding`), with a BOM in `sample` honoured
// when it agrees. Python codec names (utf-8-sig, latin1, cp1252, utf_16 ...) are accepted.
// Throws UsageError when iconv does not know the name.
EncodingChoice user_encoding(const std::string& name, std::string_view sample);

// Python/pgmonkey and common aliases to the name iconv knows; unknown names pass through upper-cased.
std::string canonical_name(std::string_view name);

}  // namespace pgmonkey::encoding
