// The import's Decoder: the input as UTF-8, passed through when it already is, converted with
// iconv otherwise (and flushed at the end, for encodings that hold a character back).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "encoding/detect.hpp"
#include "encoding/transcoder.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

class TextReader final : public Decoder {
 public:
  // `head` holds the bytes already read from `in` for detection (BOM included).
  TextReader(ByteSource& in, std::string head, const encoding::EncodingChoice& encoding);

  Status read(std::string& out, std::size_t chunk) override;
  bool transcoding() const noexcept { return static_cast<bool>(transcoder_); }

 private:
  ByteSource& in_;
  std::string pending_;  // raw bytes not yet decoded (the head, then an unfinished sequence)
  std::unique_ptr<encoding::Transcoder> transcoder_;
  bool eof_ = false;
  bool invalid_ = false;
  bool flushed_ = false;  // the transcoder's held-back state was appended
};

}  // namespace pgmonkey::transfer
