// What the stage interfaces share.
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

bool ByteSource::read_until(std::string& out, std::size_t want) {
  while (out.size() < want) {
    std::size_t old = out.size();
    out.resize(want);
    std::size_t n = read(out.data() + old, want - old);
    out.resize(old + n);
    if (n == 0) return false;
  }
  return true;
}

}  // namespace pgmonkey::transfer
