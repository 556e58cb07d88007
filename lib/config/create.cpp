// `pgconfig create`: renders the embedded template and writes it with owner-only permissions.
#include "config/create.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <utility>

#include "core/error.hpp"
#include "core/render.hpp"
#include "core/resources.hpp"
#include "core/strings.hpp"

namespace pgmonkey::config {

std::string yaml_quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'')
      out += "''";
    else
      out += c;
  }
  return out + "'";
}

namespace {

struct Field {
  const char* key;
  const char* env_var;
  const char* fallback;  // the plain template's value (no --from-env, no --from-dsn)
};

// The connection_settings lines of the template, in its order.
const Field kFields[] = {
    {"host", "PGHOST", "localhost"},
    {"port", "PGPORT", "5432"},
    {"user", "PGUSER", "postgres"},
    {"dbname", "PGDATABASE", "postgres"},
    {"sslmode", "PGSSLMODE", "prefer"},
    {"sslcert", "PGSSLCERT", ""},
    {"sslkey", "PGSSLKEY", ""},
    {"sslrootcert", "PGSSLROOTCERT", ""},
    {"connect_timeout", "PGCONNECT_TIMEOUT", "10"},
    {"application_name", "PGAPPNAME", "myapp"},
};
// Written only when set (the template has a conditional block for each).
const Field kOptionalFields[] = {
    {"options", "PGOPTIONS", ""},
    {"target_session_attrs", "PGTARGETSESSIONATTRS", ""},
};

// Renders with `set` (key → value); template keys not in `set` become comment lines so libpq's
// own defaults apply; keys the template lacks are added after application_name.
std::string render_with(const std::map<std::string, std::string>& set, const std::string& origin, bool password_in_env,
                        const std::string& password) {
  core::TemplateValues values;
  std::vector<std::string> unset;
  for (const auto& f : kFields) {
    auto it = set.find(f.key);
    values[f.key] = yaml_quote(it == set.end() ? std::string() : it->second);
    if (it == set.end()) unset.emplace_back(f.key);
  }
  for (const auto& f : kOptionalFields) {
    auto it = set.find(f.key);
    values[f.key] = it == set.end() ? "" : yaml_quote(it->second);
  }
  values["origin"] = origin;
  values["password_in_env"] = password_in_env ? "true" : "";
  auto text = core::render(core::resource("config/pgmonkey.yaml"), values);

  std::string extra;
  for (const auto& [key, value] : set) {
    if (key == "password") continue;
    bool known = false;
    for (const auto& f : kFields) known = known || key == f.key;
    for (const auto& f : kOptionalFields) known = known || key == f.key;
    if (!known) extra += "  " + key + ": " + yaml_quote(value) + "\n";
  }
  std::string out;
  for (const auto& line : core::split(text, '\n')) {
    std::string edited = line;
    for (const auto& key : unset)
      if (core::starts_with(line, "  " + key + ": "))
        edited = "  # " + key + ": not set, so libpq's default applies (its PG* variable at run time)";
    if (!password.empty() && core::starts_with(line, "  # password: left out")) {
      edited = "  password: " + yaml_quote(password) + "    # from the DSN (--with-password); keep this file 0600";
    }
    out += edited + "\n";
    if ((core::starts_with(line, "  application_name: ") || core::starts_with(line, "  # application_name: ")) &&
        !extra.empty())
      out += extra;
  }
  // split() gave one more line than the text has newlines.
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace

std::string render_new_config(bool from_env, const EnvLookup& env) {
  std::map<std::string, std::string> set;
  if (!from_env) {
    for (const auto& f : kFields) set[f.key] = f.fallback;
    return render_with(set, "Local defaults; edit to suit", false, {});
  }
  // What libpq would really use: a service by name (libpq expands it at run time, and it beats
  // the other variables there), else each variable that is set; nothing for the unset ones.
  if (auto service = env("PGSERVICE"); service && !service->empty()) {
    set["service"] = *service;
  } else {
    for (const auto& f : kFields)
      if (auto e = env(f.env_var); e && !e->empty()) set[f.key] = *e;
    for (const auto& f : kOptionalFields)
      if (auto e = env(f.env_var); e && !e->empty()) set[f.key] = *e;
  }
  std::string origin = set.empty() ? "No PG* variables were set: every connection setting is libpq's default"
                                   : "Filled in from the PG* environment variables";
  return render_with(set, origin, static_cast<bool>(env("PGPASSWORD")), {});
}

std::vector<std::string> env_variables_set(const EnvLookup& env) {
  std::vector<std::string> out;
  if (auto s = env("PGSERVICE"); s && !s->empty()) out.emplace_back("PGSERVICE");
  for (const auto& f : kFields)
    if (auto e = env(f.env_var); e && !e->empty()) out.emplace_back(f.env_var);
  for (const auto& f : kOptionalFields)
    if (auto e = env(f.env_var); e && !e->empty()) out.emplace_back(f.env_var);
  return out;
}

std::string render_config_from_settings(const std::vector<std::pair<std::string, std::string>>& settings,
                                        bool with_password, const std::string& origin) {
  std::map<std::string, std::string> set;
  std::string password;
  for (const auto& [key, value] : settings) {
    if (key == "password") {
      if (with_password) password = value;
      continue;
    }
    set[key] = value;
  }
  return render_with(set, origin, false, password);
}

void write_new_config(const std::string& path, const std::string& content, bool force) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target(path);
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw ConfigError("cannot create folder " + target.parent_path().string() + ": " + ec.message());
  }
  if (!force && fs::exists(target, ec))
    throw UsageError("refusing to overwrite existing file " + path, "pass --force to replace it");
  // Write next to the target and rename, so a failure never leaves half a file behind.
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw ConfigError("cannot write " + path + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw ConfigError("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0600);  // regardless of umask
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw ConfigError("cannot write " + path + ": " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw ConfigError("cannot write " + path + ": " + std::strerror(err));
  }
}

}  // namespace pgmonkey::config
