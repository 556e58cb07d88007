// iconv-based conversion to UTF-8.
#include "encoding/transcoder.hpp"

#include <iconv.h>

#include <cerrno>

#include "core/error.hpp"

namespace pgmonkey::encoding {

Transcoder::Transcoder(const std::string& from) {
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw UsageError("cannot convert from encoding '" + from + "'", "iconv -l lists the names it knows");
  cd_ = cd;
}

Transcoder::~Transcoder() noexcept { iconv_close(static_cast<iconv_t>(cd_)); }

Transcoder::Step Transcoder::convert(std::string_view in, std::string& out, bool at_end) {
  Step step;
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  while (src_left > 0) {
    std::size_t old = out.size();
    // UTF-8 needs at most 4 bytes per input byte for any single-byte source (3 for BMP).
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
