// The input decoded to UTF-8: passed through when it already is, converted with iconv otherwise.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "encoding/detect.hpp"
#include "encoding/transcoder.hpp"
#include "transfer/input_stream.hpp"

namespace pgmonkey::transfer {

class TextReader {
 public:
  enum class Status { data, end, invalid };

  // `head` holds the bytes already read from `in` for detection (BOM included).
  TextReader(InputStream& in, std::string head, const encoding::EncodingChoice& encoding);

  // Appends about `chunk` bytes of UTF-8 to `out`. `invalid` means the input is not valid in
  // its encoding right after what was appended so far (nothing more can be read).
  Status read(std::string& out, std::size_t chunk);
  bool transcoding() const noexcept { return static_cast<bool>(transcoder_); }

 private:
  InputStream& in_;
  std::string pending_;  // raw bytes not yet decoded (the head, then an unfinished sequence)
  std::unique_ptr<encoding::Transcoder> transcoder_;
  bool eof_ = false;
  bool invalid_ = false;
  bool flushed_ = false;  // the transcoder's held-back state was appended
};

}  // namespace pgmonkey::transfer
