// Template choice and values for `pgconfig generate-code`; the program text lives in templates/codegen/.
#include "codegen/generate.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "codegen/literals.hpp"
#include "core/error.hpp"
#include "core/render.hpp"
#include "core/resources.hpp"
#include "core/strings.hpp"
#include "core/version.hpp"

namespace pgmonkey::codegen {
namespace {

using config::ConnectionType;

// Pieces shared by several templates of one language, rendered first and handed to the
// main template as a value.
const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& partials() {
  static const std::map<std::string, std::vector<std::pair<std::string, std::string>>> table{
      {"cpp",
       {{"config_reader", "codegen/cpp/config_reader.inc"},
        {"pqxx_connection", "codegen/cpp/pqxx_connection.inc"},
        {"connect_retry", "codegen/cpp/connect_retry.inc"},
        {"libpq_basics", "codegen/cpp/libpq_basics.inc"},
        {"libpq_nonblocking", "codegen/cpp/libpq_nonblocking.inc"}}},
      {"c", {{"libpq_settings", "codegen/c/settings.inc"}, {"libpq_retry", "codegen/c/retry.inc"}}},
      {"python",
       {{"psycopg_config", "codegen/python/psycopg_config.inc"},
        {"psycopg_pool_helpers", "codegen/python/psycopg_pool_helpers.inc"},
        {"psycopg_retry", "codegen/python/psycopg_retry.inc"},
        {"pgmonkey_preflight", "codegen/python/pgmonkey_preflight.inc"}}},
  };
  return table;
}

// Keys that must never be written into a generated program: libpq reads the password from
// PGPASSWORD or ~/.pgpass instead.
bool is_secret(const std::string& key) {
  return key == "password" || key == "sslpassword";
}

std::string supported_list() {
  std::vector<std::string> lines;
  std::string current;
  for (const auto& v : variants()) {
    std::string head = v.language + " --library " + v.library + ": ";
    if (!core::starts_with(current, head)) {
      if (!current.empty()) lines.push_back(current);
      current = head + config::to_string(v.type);
    } else {
      current += std::string(", ") + config::to_string(v.type);
    }
  }
  if (!current.empty()) lines.push_back(current);
  return core::join(lines, "; ");
}

std::vector<std::string> libraries_of(const std::string& language) {
  std::vector<std::string> out;
  for (const auto& v : variants())
    if (v.language == language && std::find(out.begin(), out.end(), v.library) == out.end()) out.push_back(v.library);
  return out;
}

std::string render_rows(const std::string& template_path, const std::vector<core::TemplateValues>& rows) {
  std::string out;
  for (const auto& row : rows) out += core::render(core::resource(template_path), row);
  return out;
}

// Values for the C templates: the non-secret connection settings and the session settings,
// as escaped literals in rows.
void add_c_values(const config::Config& cfg, ConnectionType type, core::TemplateValues& values) {
  std::vector<core::TemplateValues> keywords, settings;
  bool password_left_out = false;
  for (const auto& s : cfg.connection) {
    if (s.value.empty()) continue;
    if (is_secret(s.key)) {
      password_left_out = password_left_out || s.key == "password";
      continue;
    }
    keywords.push_back({{"keyword", c_string_literal(s.key)}, {"value", c_string_literal(s.value)}});
  }
  for (const auto& s : cfg.session_settings(type))
    settings.push_back({{"name", c_string_literal(s.key)}, {"value", c_string_literal(s.value)}});
  values["keyword_rows"] = render_rows("codegen/c/keyword_row.inc", keywords);
  values["setting_rows"] = render_rows("codegen/c/setting_row.inc", settings);
  values["password_left_out"] = password_left_out ? "true" : "";
}

// The pool keys a C++ program leaves out, said at generation time rather than ignored silently.
// psycopg_pool and pgmonkey take every key themselves.
std::vector<std::string> unhonoured_pool_keys(const config::Config& cfg, ConnectionType type) {
  std::vector<std::string> keys;
  if (type != ConnectionType::pool && type != ConnectionType::async_pool) return keys;
  const auto& pool = cfg.pool_settings(type);
  if (type == ConnectionType::async_pool && pool.max_idle) keys.push_back("max_idle");
  if (type == ConnectionType::async_pool && pool.max_lifetime) keys.push_back("max_lifetime");
  if (pool.max_waiting) keys.push_back("max_waiting");
  if (pool.reconnect_timeout) keys.push_back("reconnect_timeout");
  if (pool.num_workers) keys.push_back("num_workers");
  return keys;
}

}  // namespace

const std::vector<Variant>& variants() {
  static const std::vector<Variant> all{
      {"cpp", "libpqxx", ConnectionType::normal, "codegen/cpp/normal.cpp", ".cpp"},
      {"cpp", "libpqxx", ConnectionType::pool, "codegen/cpp/pool.cpp", ".cpp"},
      {"cpp", "libpqxx", ConnectionType::async, "codegen/cpp/async.cpp", ".cpp"},
      {"cpp", "libpqxx", ConnectionType::async_pool, "codegen/cpp/async_pool.cpp", ".cpp"},
      {"c", "libpq", ConnectionType::normal, "codegen/c/normal.c", ".c"},
      {"c", "libpq", ConnectionType::async, "codegen/c/async.c", ".c"},
      {"python", "psycopg", ConnectionType::normal, "codegen/python/psycopg_normal.py", ".py"},
      {"python", "psycopg", ConnectionType::pool, "codegen/python/psycopg_pool.py", ".py"},
      {"python", "psycopg", ConnectionType::async, "codegen/python/psycopg_async.py", ".py"},
      {"python", "psycopg", ConnectionType::async_pool, "codegen/python/psycopg_async_pool.py", ".py"},
      {"python", "pgmonkey", ConnectionType::normal, "codegen/python/pgmonkey_normal.py", ".py"},
      {"python", "pgmonkey", ConnectionType::pool, "codegen/python/pgmonkey_pool.py", ".py"},
      {"python", "pgmonkey", ConnectionType::async, "codegen/python/pgmonkey_async.py", ".py"},
      {"python", "pgmonkey", ConnectionType::async_pool, "codegen/python/pgmonkey_async_pool.py", ".py"},
  };
  return all;
}

const std::vector<std::string>& languages() {
  static const std::vector<std::string> names{"cpp", "c", "python"};
  return names;
}

std::string default_library(const std::string& language) {
  if (language == "cpp") return "libpqxx";
  if (language == "c") return "libpq";
  if (language == "python") return "psycopg";
  return {};
}

const Variant& select_variant(const config::Config& config, const Request& request) {
  const std::string& language = request.language;
  if (std::find(languages().begin(), languages().end(), language) == languages().end())
    throw UsageError("unknown language '" + language + "'", "supported: " + supported_list());
  const std::string library = request.library.empty() ? default_library(language) : request.library;
  auto libs = libraries_of(language);
  if (std::find(libs.begin(), libs.end(), library) == libs.end())
    throw UsageError("--language " + language + " has no library '" + library + "'",
                     "use --library " + core::join(libs, " or ") + "; supported: " + supported_list());
  ConnectionType type = config.type;
  if (!request.connection_type.empty()) {
    auto t = config::parse_connection_type(request.connection_type);
    if (!t)
      throw UsageError("unknown connection type '" + request.connection_type + "'",
                       "use one of " + core::join(config::connection_type_names(), ", "));
    type = *t;
  }
  for (const auto& v : variants())
    if (v.language == language && v.library == library && v.type == type) return v;
  throw UsageError(
      std::string("no ") + config::to_string(type) + " program for --language " + language + " --library " + library,
      "supported: " + supported_list());
}

Program generate(const config::Config& config, const Request& request) {
  const Variant& v = select_variant(config, request);
  Program p;
  p.variant = v;
  std::string name = std::string("pgmonkey_") + config::to_string(v.type);
  p.suggested_file = name + v.file_extension;
  if (!request.output_path.empty()) {
    // Hints name the real file; the executable is the file name without its extension.
    p.suggested_file = request.output_path;
    auto stem = std::filesystem::path(request.output_path).stem().string();
    if (!stem.empty()) name = stem;
  }
  const bool is_async = v.type == ConnectionType::async || v.type == ConnectionType::async_pool;

  core::TemplateValues values;
  values["version"] = kVersion;
  values["connection_type"] = config::to_string(v.type);
  values["library"] = v.library;
  values["config_comment"] = comment_text(request.config_path);
  values["config_literal"] =
      v.language == "python" ? python_string_literal(request.config_path) : c_string_literal(request.config_path);
  values["settings_section"] = is_async ? "async_settings" : "sync_settings";
  values["pool_section"] = v.type == ConnectionType::async_pool ? "async_pool_settings" : "pool_settings";
  values["resolve_env"] = request.resolve_env ? "true" : "";
  if (v.language == "cpp")
    p.libpqxx = choose_libpqxx(request.libpqxx);
  else if (request.libpqxx != 0)
    throw UsageError("--libpqxx is for --language cpp", "leave it out for --language " + v.language);
  values["libpqxx7"] = p.libpqxx.major >= 7 ? "true" : "";

  // Words for the build and run hints, quoted for the shell when the names need it.
  const std::string exe = shell_word(name);
  const std::string file = shell_word(p.suggested_file);
  const std::string run = shell_word("./" + name);
  if (v.language == "cpp") {
    // The async programs use libpq's non-blocking API directly: no libpqxx to link.
    const std::string libs = is_async ? "libpq yaml-cpp" : "libpqxx libpq yaml-cpp";
    p.build_command =
        "g++ -std=c++17 -O2 -pthread -o " + exe + " " + file + " $(pkg-config --cflags --libs " + libs + ")";
    p.run_command = run + " [CONFIG]";
    if (auto keys = unhonoured_pool_keys(config, v.type); !keys.empty())
      p.warnings.push_back(std::string(v.type == ConnectionType::pool ? "pool_settings" : "async_pool_settings") +
                           ": " + core::join(keys, ", ") + " not honoured by the generated C++ " +
                           config::to_string(v.type) + " program (use --language python for them)");
  } else if (v.language == "c") {
    add_c_values(config, v.type, values);
    p.build_command = "gcc -std=c11 -O2 -o " + exe + " " + file + " $(pkg-config --cflags --libs libpq)";
    p.run_command = "PGPASSWORD=... " + run + "   (or a ~/.pgpass entry)";
  } else {
    p.run_command = "python3 " + file + " [CONFIG]";
  }
  // The hints and names appear in comments: one line each, no comment terminator.
  values["program"] = comment_text(name);
  values["file"] = comment_text(p.suggested_file);
  values["build_command"] = comment_text(p.build_command);
  values["run_command"] = comment_text(p.run_command);

  for (const auto& [var, path] : partials().at(v.language)) values[var] = core::render(core::resource(path), values);
  p.text = core::render(core::resource(v.template_path), values);
  return p;
}

}  // namespace pgmonkey::codegen
