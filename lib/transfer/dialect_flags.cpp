// Flags over the sidecar, each option remembering which of them set it.
#include "transfer/dialect_flags.hpp"

namespace pgmonkey::transfer {

csv::Dialect given_dialect(const DialectFlags& flags, const Sidecar* sidecar) {
  using csv::Source;
  csv::Dialect d;
  if (sidecar) d.sidecar = sidecar->path;
  auto text = [&](const std::optional<std::string>& flag, const std::optional<std::string> Sidecar::*key,
                  const char* flag_name, const char* key_name, std::string& what) -> std::pair<std::string, Source> {
    if (flag) {
      what = flag_name;
      return {*flag, Source::user};
    }
    if (sidecar && (*sidecar).*key) {
      what = std::string(key_name) + " in " + sidecar->path;
      return {*((*sidecar).*key), Source::sidecar};
    }
    return {{}, Source::fallback};
  };
  std::string what;
  if (auto [v, s] = text(flags.delimiter, &Sidecar::delimiter, "--delimiter", "delimiter", what); s != Source::fallback)
    d.delimiter.offer(csv::parse_char_option(v, "the delimiter (" + what + ")"), s);
  if (auto [v, s] = text(flags.quote, &Sidecar::quotechar, "--quote", "quotechar", what); s != Source::fallback)
    d.quote.offer(csv::parse_char_option(v, "the quote character (" + what + ")"), s);
  if (auto [v, s] = text(flags.encoding, &Sidecar::encoding, "--encoding", "encoding", what); s != Source::fallback)
    d.encoding.offer(v, s);
  if (flags.header)
    d.header.offer(*flags.header, Source::user);
  else if (sidecar && sidecar->has_headers)
    d.header.offer(*sidecar->has_headers, Source::sidecar);
  d.null_string = flags.null_string;
  return d;
}

}  // namespace pgmonkey::transfer
