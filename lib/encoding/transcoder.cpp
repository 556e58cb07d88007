// iconv-based conversion to UTF-8.
#include "encoding/transcoder.hpp"

#include <iconv.h>

#include <cerrno>

#include "core/error.hpp"

namespace pgmonkey::encoding {

Transcoder::Transcoder(const std::string& from, const std::string& to) {
  iconv_t cd = iconv_open(to.c_str(), from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw UsageError("cannot convert from encoding '" + from + "'" + (to == "UTF-8" ? "" : " to '" + to + "'"),
                     "iconv -l lists the names it knows");
  cd_ = cd;
  // Probe each byte alone: in a single-byte encoding none is the start of a longer sequence.
  single_byte_ = true;
  for (int b = 0; b < 256 && single_byte_; ++b) {
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    char in = static_cast<char>(b);
    char* src = &in;
    std::size_t src_left = 1;
    char* dst = utf8_of_[b].data();
    std::size_t dst_left = utf8_of_[b].size();
    std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    if (rc == static_cast<std::size_t>(-1)) {
      if (errno == EILSEQ)
        length_of_[b] = 0;
      else
        single_byte_ = false;  // EINVAL: a lead byte of a multi-byte sequence
    } else {
      length_of_[b] = static_cast<std::uint8_t>(utf8_of_[b].size() - dst_left);
      if (length_of_[b] == 0) single_byte_ = false;  // a shift state or the like
    }
  }
  iconv(cd, nullptr, nullptr, nullptr, nullptr);
}

Transcoder::Step Transcoder::convert_single_byte(std::string_view in, std::string& out) const {
  Step step;
  std::size_t old = out.size();
  out.resize(old + in.size() * 3);
  char* dst = out.data() + old;
  std::size_t i = 0;
  for (; i < in.size(); ++i) {
    auto b = static_cast<unsigned char>(in[i]);
    std::uint8_t n = length_of_[b];
    if (n == 1) {
      *dst++ = utf8_of_[b][0];
      continue;
    }
    if (n == 0) {
      step.invalid = true;
      break;
    }
    for (std::uint8_t k = 0; k < n; ++k) *dst++ = utf8_of_[b][k];
  }
  out.resize(static_cast<std::size_t>(dst - out.data()));
  step.consumed = i;
  return step;
}

Transcoder::~Transcoder() noexcept {
  iconv_close(static_cast<iconv_t>(cd_));
}

void Transcoder::finish(std::string& out) {
  if (single_byte_) return;
  std::size_t old = out.size();
  std::size_t room = 64;
  out.resize(old + room);
  char* dst = out.data() + old;
  std::size_t dst_left = room;
  std::size_t rc = iconv(static_cast<iconv_t>(cd_), nullptr, nullptr, &dst, &dst_left);
  int err = errno;
  out.resize(old + (room - dst_left));
  if (rc == static_cast<std::size_t>(-1))
    throw JobError("character conversion failed at the end of the input: iconv error " + std::to_string(err));
}

Transcoder::Step Transcoder::convert(std::string_view in, std::string& out, bool at_end) {
  if (single_byte_) return convert_single_byte(in, out);
  Step step;
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  while (src_left > 0) {
    std::size_t old = out.size();
    // No target needs more than 4 bytes per input byte (UTF-8 from a single-byte source: 3;
    // UTF-16 from UTF-8: 2).
    std::size_t room = src_left * 4 + 16;
    out.resize(old + room);
    char* dst = out.data() + old;
    std::size_t dst_left = room;
    std::size_t rc = iconv(static_cast<iconv_t>(cd_), &src, &src_left, &dst, &dst_left);
    int err = errno;
    out.resize(old + (room - dst_left));
    if (rc != static_cast<std::size_t>(-1)) continue;
    if (err == E2BIG) continue;
    if (err == EILSEQ) {
      step.invalid = true;
      break;
    }
    if (err == EINVAL) {  // incomplete sequence at the end of the buffer
      if (at_end) step.invalid = true;
      break;
    }
    throw JobError("character conversion failed: iconv error " + std::to_string(err));
  }
  step.consumed = in.size() - src_left;
  return step;
}

}  // namespace pgmonkey::encoding
