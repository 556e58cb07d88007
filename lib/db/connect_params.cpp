// Builds libpq keyword/value arrays from a config; no connection string is ever glued.
#include "db/connect_params.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

#include "config/interpolate.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"

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

std::string env_value(const char* name) {
  const char* v = name ? std::getenv(name) : nullptr;
  return v ? std::string(v) : std::string();
}

// What libpq would take for a keyword left unset: PQconndefaults() applies the PG* variables,
// PGSERVICE's service file entry and the compiled-in defaults, exactly as a connection does.
struct LibpqDefault {
  std::string value;
  std::string origin;
};

LibpqDefault libpq_default(const std::string& keyword) {
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> opts(PQconndefaults(), PQconninfoFree);
  LibpqDefault d;
  if (!opts) return d;
  for (auto* o = opts.get(); o->keyword; ++o) {
    if (keyword != o->keyword) continue;
    if (o->val) d.value = o->val;
    if (o->envvar && !env_value(o->envvar).empty())
      d.origin = std::string("environment ") + o->envvar;
    else if (!d.value.empty() && !env_value("PGSERVICE").empty() && (!o->compiled || d.value != o->compiled) &&
             keyword != "user")
      d.origin = "service " + env_value("PGSERVICE") + " (PGSERVICE)";
    else
      d.origin = "default";
    break;
  }
  // libpq's rules for the two it fills in only when connecting.
  if (d.value.empty() && keyword == "host") d.value = "(local socket)";
  if (d.value.empty() && keyword == "dbname") {
    d.value = libpq_default("user").value;
    d.origin = "default (the user name)";
  }
  return d;
}

}  // namespace

std::string ConnectParams::describe() const {
  std::string out;
  for (std::string k : {"host", "hostaddr", "port", "dbname", "user", "sslmode", "service"}) {
    auto v = without_userinfo(get(k));
    bool filled_by_libpq = k == "port" || k == "dbname" || k == "user" || (k == "host" && get("hostaddr").empty());
    if (v.empty() && k == "dbname") {
      // PGDATABASE (or the service) if set, else libpq's rule: the database named as the user.
      auto d = libpq_default(k);
      v = d.origin == "default (the user name)" && !get("user").empty() ? get("user") : d.value;
    }
    if (v.empty() && filled_by_libpq) v = libpq_default(k).value;
    if (v.empty()) continue;
    if (!out.empty()) out += ' ';
    out += k + "=" + v;
  }
  return out;
}

std::string ConnectParams::where(const std::string& keyword) const {
  for (std::size_t i = 0; i < keywords.size(); ++i) {
    if (keywords[i] != keyword) continue;
    std::string origin = i < origins.size() ? origins[i] : std::string();
    if (origin == "command line") return "the command-line value of '" + keyword + "'";
    return "'" + keyword + "' in the config";
  }
  auto d = libpq_default(keyword);
  if (core::starts_with(d.origin, "environment ")) return d.origin.substr(12);
  if (core::starts_with(d.origin, "service ")) return "'" + keyword + "' in the service file";
  static const std::map<std::string, std::string> how = {
      {"host", "-h or PGHOST"}, {"port", "-p or PGPORT"}, {"user", "-U or PGUSER"}, {"dbname", "-d or PGDATABASE"}};
  auto it = how.find(keyword);
  return "'" + keyword + "' (libpq's default; set it in the config" + (it == how.end() ? "" : ", with " + it->second) +
         ")";
}

ConnectParams make_params(const config::Config& config, const std::string& tool_name) {
  ConnectParams p;
  for (const auto& s : config.connection) {
    if (s.value.empty()) continue;
    p.keywords.push_back(s.key);
    p.values.push_back(s.value);
    if (s.line == kFromCommandLine)
      p.origins.emplace_back("command line");
    else if (s.line > 0)
      p.origins.push_back("config " + config.path + " line " + std::to_string(s.line));
    else
      p.origins.push_back(config.path.empty() ? std::string("caller") : "config " + config.path);
  }
  if (!tool_name.empty() && p.get("fallback_application_name").empty()) {
    p.keywords.push_back("fallback_application_name");
    p.values.push_back(tool_name);
    p.origins.emplace_back("the tool's name");
  }
  return p;
}

std::vector<std::pair<std::string, std::string>> parse_dbname_argument(const std::string& arg) {
  // psql's test (recognized_connection_string): a URI prefix or an '=' makes it a conninfo.
  bool conninfo = core::starts_with(arg, "postgresql://") || core::starts_with(arg, "postgres://") ||
                  arg.find('=') != std::string::npos;
  if (!conninfo) return {{"dbname", arg}};
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(arg.c_str(), &err);
  if (!parsed) {
    std::string why = err ? core::trim(err) : std::string("out of memory");
    if (err) PQfreemem(err);
    // libpq's message may quote the bad part, which could hold the password: mask it before
    // the text leaves the library.
    auto scheme_end = arg.find("://");
    auto at = scheme_end == std::string::npos ? std::string::npos : arg.find('@', scheme_end + 3);
    auto colon = scheme_end == std::string::npos ? std::string::npos : arg.find(':', scheme_end + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      core::register_secret(arg.substr(colon + 1, at - colon - 1));
    throw UsageError("invalid -d/--dbname connection string: " + core::redact(why),
                     "use a database name, postgresql://[user[:password]@][host][:port][/dbname][?key=value&...] or "
                     "'key=value ...'");
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto* o = parsed; o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    if (std::strcmp(o->keyword, "password") == 0) core::register_secret(o->val);
    out.emplace_back(o->keyword, o->val);
  }
  PQconninfoFree(parsed);
  return out;
}

std::vector<ValueSource> value_sources(const ConnectParams& params) {
  std::vector<ValueSource> out;
  for (const char* k : {"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode",
                        "connect_timeout"}) {
    ValueSource s;
    s.keyword = k;
    bool found = false;
    for (std::size_t i = 0; i < params.keywords.size(); ++i) {
      if (params.keywords[i] != k) continue;
      s.value = params.values[i];
      s.origin = i < params.origins.size() ? params.origins[i] : std::string("caller");
      found = true;
    }
    if (!found && s.keyword == "dbname" && !params.get("user").empty() && env_value("PGDATABASE").empty()) {
      s.value = params.get("user");
      s.origin = "default (the user name)";
      found = true;
    }
    if (!found) {
      auto d = libpq_default(k);
      s.value = d.value;
      s.origin = d.origin;
      if (s.value.empty()) {
        if (s.keyword == "password" || s.keyword == "hostaddr" || s.keyword == "service") continue;
        if (s.keyword == "passfile") s.value = "~/.pgpass";
      }
    }
    if (s.keyword == "password") s.value.clear();  // never shown, not even masked
    s.value = without_userinfo(s.value);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace pgmonkey::db
