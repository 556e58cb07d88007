// Builds libpq keyword/value arrays from a config; no connection string is ever glued.
#include "db/connect_params.hpp"

#include "config/interpolate.hpp"

namespace pgmonkey::db {

std::vector<const char*> ConnectParams::keyword_ptrs() const {
  std::vector<const char*> out;
  for (const auto& k : keywords) out.push_back(k.c_str());
  out.push_back(nullptr);
  return out;
}

std::vector<const char*> ConnectParams::value_ptrs() const {
  std::vector<const char*> out;
  for (const auto& v : values) out.push_back(v.c_str());
  out.push_back(nullptr);
  return out;
}

std::string ConnectParams::get(const std::string& keyword) const {
  for (std::size_t i = 0; i < keywords.size(); ++i)
    if (keywords[i] == keyword) return values[i];
  return {};
}

namespace {

// scheme://user:secret@host → scheme://***@host, in case a URI reaches a message anyway.
std::string without_userinfo(std::string v) {
  auto scheme = v.find("://");
  if (scheme == std::string::npos) return v;
  auto at = v.find('@', scheme + 3);
  if (at == std::string::npos) return v;
  return v.replace(scheme + 3, at - scheme - 3, "***");
}

}  // namespace

std::string ConnectParams::describe() const {
  std::string out;
  for (const char* k : {"host", "hostaddr", "port", "dbname", "user", "sslmode", "service"}) {
    auto v = without_userinfo(get(k));
    if (v.empty()) continue;
    if (!out.empty()) out += ' ';
    out += std::string(k) + "=" + v;
  }
  return out.empty() ? std::string("(libpq defaults)") : out;
}

ConnectParams make_params(const config::Config& config, const std::string& tool_name) {
  ConnectParams p;
  for (const auto& s : config.connection) {
    if (s.value.empty()) continue;
    p.keywords.push_back(s.key);
    p.values.push_back(s.value);
  }
  if (!tool_name.empty() && p.get("fallback_application_name").empty()) {
    p.keywords.push_back("fallback_application_name");
    p.values.push_back(tool_name);
  }
  return p;
}

}  // namespace pgmonkey::db
