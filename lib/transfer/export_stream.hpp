// The export's Encoder: the client-side steps between COPY's bytes and the file, CRLF record
// ends and transcoding.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "encoding/transcoder.hpp"
#include "transfer/export_encoding.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

// Turns the server's LF record terminators into CRLF, leaving newlines inside quoted fields
// alone. PostgreSQL quotes every field holding the quote character, and doubles it inside, so
// flipping a flag on each quote character tracks "inside a quoted field" exactly, across chunk
// boundaries too. Works on any encoding where the quote byte and LF never occur inside a
// multi-byte character (UTF-8 and every single-byte encoding).
class CrlfConverter {
 public:
  explicit CrlfConverter(char quote) : quote_(quote) {}
  void convert(std::string_view in, std::string& out);

 private:
  char quote_;
  bool in_quotes_ = false;
};

// UTF-8 to UTF-16LE/BE with the one iconv wrapper (encoding::Transcoder), keeping a multi-byte
// character split across chunks for the next call.
class Utf16Transcoder {
 public:
  explicit Utf16Transcoder(bool big_endian);

  void convert(std::string_view in, std::string& out);
  // Appends iconv's remaining output and throws JobError when the input ended inside a character.
  void finish(std::string& out);

 private:
  encoding::Transcoder iconv_;
  std::string pending_;
};

// Everything after COPY: optional CRLF, then optional transcoding or an ASCII check.
class OutputEncoder final : public Encoder {
 public:
  // `crlf`: end records with CRLF; `quote`: the dialect's quote, to tell record ends from
  // newlines inside quoted fields.
  OutputEncoder(bool crlf, char quote, const EncodingPlan& plan);
  // The bytes that start the file (a BOM, or nothing).
  const std::string& preamble() const noexcept override { return plan_.bom; }
  // Appends the encoded form of `in` to `out`. Throws JobError on a character the target
  // encoding cannot hold (ascii).
  void encode(std::string_view in, std::string& out) override;
  // Appends what the encoder still holds back; call once after the last encode().
  void finish(std::string& out) override;
  // True when bytes pass through unchanged, so callers can skip a copy.
  bool passthrough() const noexcept { return !crlf_ && plan_.client == ClientTranscode::none; }

 private:
  EncodingPlan plan_;
  bool crlf_;
  CrlfConverter crlf_converter_;
  std::unique_ptr<Utf16Transcoder> utf16_;
  std::string scratch_;
  std::uint64_t lines_ = 0;  // LFs passed by the ascii check, for its message
};

}  // namespace pgmonkey::transfer
