// Decoding the input stream chunk by chunk.
#include "transfer/text_reader.hpp"

#include <algorithm>

namespace pgmonkey::transfer {

TextReader::TextReader(ByteSource& in, std::string head, const encoding::EncodingChoice& enc)
    : in_(in), pending_(std::move(head)) {
  pending_.erase(0, std::min(enc.bom_length, pending_.size()));
  if (!enc.is_utf8()) transcoder_ = std::make_unique<encoding::Transcoder>(enc.name);
}

TextReader::Status TextReader::read(std::string& out, std::size_t chunk) {
  if (invalid_) return Status::invalid;
  if (!transcoder_) {
    // UTF-8: the bytes pass through; the record scanner validates them.
    if (!pending_.empty()) {
      out += pending_;
      pending_.clear();
      pending_.shrink_to_fit();
      return Status::data;
    }
    if (eof_) return Status::end;
    std::size_t old = out.size();
    out.resize(old + chunk);
    std::size_t n = in_.read(out.data() + old, chunk);
    out.resize(old + n);
    if (n == 0) eof_ = true;
    return n == 0 ? Status::end : Status::data;
  }
  std::size_t before = out.size();
  while (out.size() == before) {
    if (!eof_ && pending_.size() < chunk) {
      eof_ = !in_.read_until(pending_, chunk);
    }
    if (pending_.empty() && eof_) {
      // The end of the input is also the end of a stateful encoding's last character.
      if (flushed_) return Status::end;
      flushed_ = true;
      transcoder_->finish(out);
      continue;
    }
    auto step = transcoder_->convert(pending_, out, eof_);
    pending_.erase(0, step.consumed);
    if (step.invalid) {
      invalid_ = true;
      return out.size() > before ? Status::data : Status::invalid;
    }
  }
  return Status::data;
}

}  // namespace pgmonkey::transfer
