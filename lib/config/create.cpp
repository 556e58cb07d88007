// `pgconfig create`: renders the embedded template and writes it with owner-only permissions.
#include "config/create.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/error.hpp"
#include "core/render.hpp"
#include "core/resources.hpp"

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

std::string render_new_config(bool from_env, const EnvLookup& env) {
  struct Field {
    const char* key;
    const char* env_var;
    const char* fallback;
  };
  static const Field fields[] = {
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
  core::TemplateValues values;
  for (const auto& f : fields) {
    std::string v = f.fallback;
    if (from_env) {
      if (auto e = env(f.env_var); e && !e->empty()) v = *e;
    }
    values[f.key] = yaml_quote(v);
  }
  // Set only when the environment has them (no line otherwise).
  for (const auto& [key, var] :
       {std::pair{"options", "PGOPTIONS"}, std::pair{"target_session_attrs", "PGTARGETSESSIONATTRS"}}) {
    auto e = from_env ? env(var) : std::nullopt;
    values[key] = e && !e->empty() ? yaml_quote(*e) : "";
  }
  values["origin"] = from_env ? "Filled in from the PG* environment variables" : "Local defaults; edit to suit";
  values["password_in_env"] = (from_env && env("PGPASSWORD")) ? "true" : "";
  return core::render(core::resource("config/pgmonkey.yaml"), values);
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
