// Registry of secrets and their removal from output text.
#include "core/redact.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

namespace pgmonkey::core {
namespace {

std::mutex& secrets_mutex() {
  static std::mutex m;
  return m;
}

std::vector<std::string>& secrets() {
  static std::vector<std::string> s;
  return s;
}

}  // namespace

void register_secret(std::string_view secret) {
  if (secret.size() < kMinSecretLength) return;
  std::lock_guard<std::mutex> lock(secrets_mutex());
  auto& all = secrets();
  if (std::find(all.begin(), all.end(), secret) != all.end()) return;
  all.emplace_back(secret);
  // Longest first, so a secret containing another is masked whole.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string mask_uri_passwords(std::string_view text) {
  std::string out(text);
  std::size_t from = 0;
  while ((from = out.find("://", from)) != std::string::npos) {
    std::size_t start = from + 3;
    // The userinfo ends at '@'; a '/', '?', '#', space or quote first means there is none.
    std::size_t end = out.find_first_of("@/?#\"' \t\n", start);
    if (end != std::string::npos && out[end] == '@') {
      std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < end && end > colon + 1) {
        out.replace(colon + 1, end - colon - 1, "********");
        end = colon + 1 + 8;
      }
    }
    from = end == std::string::npos ? out.size() : end;
  }
  return out;
}

std::string redact(std::string_view text) {
  std::string out = mask_uri_passwords(text);
  std::lock_guard<std::mutex> lock(secrets_mutex());
  for (const auto& s : secrets()) {
    std::size_t pos = 0;
    while ((pos = out.find(s, pos)) != std::string::npos) {
      out.replace(pos, s.size(), "********");
      pos += 8;
    }
  }
  return out;
}

}  // namespace pgmonkey::core
