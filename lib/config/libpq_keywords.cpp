// The connection keywords this libpq understands, read once from PQconndefaults.
#include "config/libpq_keywords.hpp"

#include <libpq-fe.h>

#include <algorithm>

namespace pgmonkey::config {

const std::vector<std::string>& libpq_keywords() {
  static const std::vector<std::string> keywords = [] {
    std::vector<std::string> out;
    PQconninfoOption* opts = PQconndefaults();
    if (opts) {
      for (auto* o = opts; o->keyword; ++o) out.emplace_back(o->keyword);
      PQconninfoFree(opts);
    }
    return out;
  }();
  return keywords;
}

bool is_libpq_keyword(const std::string& key) {
  const auto& k = libpq_keywords();
  return std::find(k.begin(), k.end(), key) != k.end();
}

}  // namespace pgmonkey::config
