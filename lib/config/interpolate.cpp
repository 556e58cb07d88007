// Opt-in interpolation of config values from the environment and from files.
#include "config/interpolate.hpp"

#include <cstdlib>

#include "config/small_file.hpp"

namespace pgmonkey::config {

namespace {
// A from_file value is a password or a name: a few bytes; 64 KiB is plenty.
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;
}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

EnvLookup fixed_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

bool is_sensitive_key(const std::string& key) {
  return key == "password" || key == "sslkey" || key == "sslcert" || key == "sslrootcert" || key == "sslpassword";
}

bool has_env_reference(std::string_view text) {
  return text.find("${") != std::string_view::npos;
}

std::string expand_env_refs(std::string_view text, const std::string& key, bool allow_sensitive_defaults,
                            const EnvLookup& env) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto start = text.find("${", pos);
    if (start == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, start - pos));
    auto end = text.find('}', start + 2);
    if (end == std::string_view::npos) throw InterpolationError("unterminated ${ reference", "close it with }");
    std::string_view inner = text.substr(start + 2, end - start - 2);
    std::string name(inner);
    std::optional<std::string> fallback;
    if (auto sep = inner.find(":-"); sep != std::string_view::npos) {
      name = std::string(inner.substr(0, sep));
      fallback = std::string(inner.substr(sep + 2));
    }
    if (name.empty()) throw InterpolationError("empty variable name in ${}", "write ${NAME}");
    if (fallback && is_sensitive_key(key) && !allow_sensitive_defaults)
      throw InterpolationError("a default (:-) is not allowed for the sensitive key '" + key + "'",
                               "set " + name + " in the environment, or pass --allow-sensitive-defaults");
    auto value = env(name);
    if (value && !value->empty()) {
      out += *value;
    } else if (fallback) {
      out += *fallback;
    } else if (value) {
      out += *value;  // set but empty, no default: empty is what was asked for
    } else {
      throw InterpolationError("environment variable " + name + " is not set",
                               is_sensitive_key(key)
                                   ? "export " + name
                                   : "export " + name + " or give a default with ${" + name + ":-value}");
    }
    pos = end + 1;
  }
  return out;
}

std::string value_from_env(const std::string& var, const EnvLookup& env) {
  auto v = env(var);
  if (!v) throw InterpolationError("environment variable " + var + " is not set", "export " + var);
  return *v;
}

std::string value_from_file(const std::string& path) {
  std::string s;
  try {
    s = read_small_file(path, kMaxSecretFileBytes, "from_file");
  } catch (const SmallFileError& e) {
    throw InterpolationError(e.what(), "check the from_file path and its permissions");
  }
  if (!s.empty() && s.back() == '\n') {
    s.pop_back();
    if (!s.empty() && s.back() == '\r') s.pop_back();
  }
  return s;
}

}  // namespace pgmonkey::config
