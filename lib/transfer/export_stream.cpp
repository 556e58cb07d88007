// CRLF conversion outside quoted fields, UTF-16 transcoding with iconv, ASCII checking.
#include "transfer/export_stream.hpp"

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/error.hpp"

namespace pgmonkey::transfer {

void CrlfConverter::convert(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + in.size() / 16 + 2);
  std::size_t start = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == quote_) {
      in_quotes_ = !in_quotes_;
    } else if (c == '\n' && !in_quotes_) {
      out.append(in.data() + start, i - start);
      out += "\r\n";
      start = i + 1;
    }
  }
  out.append(in.data() + start, in.size() - start);
}

Utf16Transcoder::Utf16Transcoder(bool big_endian) : iconv_("UTF-8", big_endian ? "UTF-16BE" : "UTF-16LE") {}

void Utf16Transcoder::convert(std::string_view in, std::string& out) {
  std::string_view src = in;
  if (!pending_.empty()) {
    pending_.append(in.data(), in.size());
    src = pending_;
  }
  auto step = iconv_.convert(src, out, false);
  if (step.invalid) throw JobError("cannot convert the data to UTF-16: invalid UTF-8 from the server");
  std::string rest(src.substr(step.consumed));  // an incomplete character: wait for the rest
  pending_ = std::move(rest);
}

void Utf16Transcoder::finish(std::string& out) {
  if (!pending_.empty()) throw JobError("the data ended inside a UTF-8 character; nothing was written");
  iconv_.finish(out);
}

OutputEncoder::OutputEncoder(bool crlf, char quote, const EncodingPlan& plan)
    : plan_(plan), crlf_(crlf), crlf_converter_(quote) {
  if (plan_.client == ClientTranscode::utf16le) utf16_ = std::make_unique<Utf16Transcoder>(false);
  if (plan_.client == ClientTranscode::utf16be) utf16_ = std::make_unique<Utf16Transcoder>(true);
}

void OutputEncoder::encode(std::string_view in, std::string& out) {
  if (passthrough()) {
    out.append(in.data(), in.size());
    return;
  }
  std::string_view stage = in;
  if (crlf_) {
    if (plan_.client == ClientTranscode::none) {
      crlf_converter_.convert(in, out);
      return;
    }
    scratch_.clear();
    crlf_converter_.convert(in, scratch_);
    stage = scratch_;
  }
  switch (plan_.client) {
    case ClientTranscode::utf16le:
    case ClientTranscode::utf16be:
      utf16_->convert(stage, out);
      return;
    case ClientTranscode::ascii_check:
      for (char c : stage) {
        if (static_cast<unsigned char>(c) >= 0x80)
          throw JobError("line " + std::to_string(lines_ + 1) + " of the output holds a character that is not ASCII",
                         {}, "choose an encoding that can hold it, such as utf-8 or latin-1");
        if (c == '\n') ++lines_;
      }
      out.append(stage.data(), stage.size());
      return;
    case ClientTranscode::none:
      out.append(stage.data(), stage.size());
      return;
  }
}

void OutputEncoder::finish(std::string& out) {
  if (utf16_) utf16_->finish(out);
}

}  // namespace pgmonkey::transfer
