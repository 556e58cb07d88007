// Reads pgmonkey's YAML into a Config and checks it against the schema, with file:line findings.
#include "config/loader.hpp"

#include <sys/stat.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include "config/interpolate.hpp"
#include "config/libpq_keywords.hpp"
#include "config/schema.hpp"
#include "config/small_file.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"

namespace pgmonkey::config {

bool LoadResult::has_errors() const {
  for (const auto& f : findings)
    if (f.severity == Severity::error) return true;
  return false;
}

bool LoadResult::has_warnings() const {
  for (const auto& f : findings)
    if (f.severity == Severity::warning) return true;
  return false;
}

namespace {

// How many entries merge keys may add in all. Aliases let a small file merge one big mapping
// into thousands of others; every entry added becomes work (and maybe a finding) later.
constexpr std::size_t kMaxMergedEntries = 200000;

// Thrown when merge keys would add more than kMaxMergedEntries.
struct MergeTooLarge {
  YAML::Mark mark;
};

// YAML 1.1 merge keys (<<: *base, or a list of them), which PyYAML and so pgmonkey honour and
// yaml-cpp does not: the merged keys are copied in unless the mapping sets them itself. Only the
// levels the schema has are walked (the document, a legacy postgresql: wrapper, the sections):
// aliases can make a node contain itself, so a full walk could run forever.
void resolve_merge_keys(YAML::Node node, std::size_t& merged, int depth = 0) {
  if (!node.IsMap()) return;
  if (depth < 2)
    for (auto kv : node) resolve_merge_keys(kv.second, merged, depth + 1);
  const YAML::Node& view = node;  // const access: operator[] must not insert the key
  const YAML::Node merge = view["<<"];
  if (!merge) return;
  std::vector<YAML::Node> sources;
  if (merge.IsMap()) sources.push_back(merge);
  if (merge.IsSequence())
    for (const auto& m : merge)
      if (m.IsMap()) sources.push_back(m);
  if (sources.size() != (merge.IsSequence() ? merge.size() : 1)) return;  // not mappings: reported as a key
  const YAML::Mark mark = merge.Mark();
  node.remove("<<");
  // A set of the keys present, not node[key] per merged key: that lookup is a linear scan, and
  // a merge of n keys would take n² steps.
  std::unordered_set<std::string> present;
  for (const auto& kv : view) present.insert(kv.first.Scalar());
  for (const auto& source : sources) {
    for (const auto& kv : source) {
      if (!present.insert(kv.first.Scalar()).second) continue;
      if (++merged > kMaxMergedEntries) throw MergeTooLarge{mark};
      node.force_insert(kv.first, kv.second);
    }
  }
}

// Far deeper than any config (a section holds scalars); deep enough that no real file hits it,
// shallow enough that yaml-cpp's own recursion limit (which reports only "bad file") never does.
constexpr int kMaxNesting = 64;

// Thrown by the nesting check with the place where the limit was crossed.
struct TooDeep {
  YAML::Mark mark;
};

// Walks the parser's events before the document is built, to find where nesting gets too deep.
class NestingCheck : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    enter(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    enter(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void enter(const YAML::Mark& mark) {
    if (++depth_ > kMaxNesting) throw TooDeep{mark};
  }
  int depth_ = 0;
};

void check_nesting(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  NestingCheck check;
  parser.HandleNextDocument(check);  // YAML::Load reads the first document only, so does this
}

// A key as shown in messages: a hostile file's megabyte-long key is cut, not echoed whole.
std::string shown_key(const std::string& key) {
  constexpr std::size_t kShown = 64;
  if (key.size() <= kShown) return key;
  return key.substr(0, kShown) + "...(" + std::to_string(key.size()) + " bytes)";
}

class Loader {
 public:
  Loader(std::string name, const LoadOptions& options) : name_(std::move(name)), options_(options) {}

  LoadResult run(const std::string& text) {
    result_.config.path = name_;
    YAML::Node root;
    try {
      check_nesting(text);
      root = YAML::Load(text);
      std::size_t merged = 0;
      resolve_merge_keys(root, merged);
    } catch (const TooDeep& e) {
      add(Severity::error, e.mark, "",
          "malformed YAML: nested more than " + std::to_string(kMaxNesting) +
              " levels deep here (a config has two: the document and its sections)",
          "look for unbalanced [ or { brackets, or remove the extra levels");
      return std::move(result_);
    } catch (const MergeTooLarge& e) {
      add(Severity::error, e.mark, "",
          "merge keys (<<) add more than " + std::to_string(kMaxMergedEntries) + " entries in all",
          "merge smaller mappings, or write the settings out");
      return std::move(result_);
    } catch (const YAML::DeepRecursion& e) {
      add(Severity::error, e.mark, "", "malformed YAML: nested more than " + std::to_string(e.depth()) + " levels deep",
          "look for unbalanced [ or { brackets, or remove the extra levels");
      return std::move(result_);
    } catch (const YAML::Exception& e) {
      // yaml-cpp's message names the problem; its mark holds YAML's own line and column.
      add(Severity::error, e.mark, "", "malformed YAML: " + e.msg, "fix the syntax at this line and column");
      return std::move(result_);
    }
    if (!root || root.IsNull()) {
      add(Severity::error, root.Mark(), "", "the config is empty", "start from `pgconfig create -c FILE`");
      return std::move(result_);
    }
    if (!root.IsMap()) {
      add(Severity::error, root.Mark(), "", "the config must be a mapping of sections",
          "start from `pgconfig create -c FILE`");
      return std::move(result_);
    }
    YAML::Node body = root;
    if (root["postgresql"]) {
      add(Severity::warning, root["postgresql"].Mark(), "postgresql",
          "the top-level 'postgresql:' wrapper is deprecated", "move its sections to the top level");
      for (const auto& entry : root) {
        const YAML::Node key_node = entry.first;
        const YAML::Node value_node = entry.second;
        if (key_node.Scalar() != "postgresql")
          add(Severity::error, key_node.Mark(), shown_key(key_node.Scalar()),
              "unexpected key next to the 'postgresql:' wrapper", "put every section inside it, or drop the wrapper");
      }
      body.reset(root["postgresql"]);
      if (!body.IsMap()) {
        add(Severity::error, body.Mark(), "postgresql", "must be a mapping of sections", "");
        return std::move(result_);
      }
    }
    walk_top(body);
    cross_checks();
    return std::move(result_);
  }

 private:
  void add(Severity sev, const YAML::Mark& mark, std::string key, std::string message, std::string hint) {
    Finding f;
    f.severity = sev;
    f.file = name_;
    if (!mark.is_null()) {
      f.line = mark.line + 1;
      f.column = mark.column + 1;
    }
    f.key = std::move(key);
    f.message = std::move(message);
    f.hint = std::move(hint);
    result_.findings.push_back(std::move(f));
  }

  // YAML readers disagree on which of two equal keys wins; say so instead of picking one.
  bool is_duplicate(std::map<std::string, int>& seen, const YAML::Node& key_node, const std::string& path) {
    const int line = key_node.Mark().line + 1;
    auto [it, fresh] = seen.emplace(key_node.Scalar(), line);
    if (fresh) return false;
    add(Severity::error, key_node.Mark(), path, "duplicate key (first at line " + std::to_string(it->second) + ")",
        "keep one of them");
    return true;
  }

  static std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
    auto best = core::did_you_mean(word, candidates);
    return best.empty() ? std::string() : "did you mean '" + best + "'?";
  }

  void walk_top(const YAML::Node& root) {
    std::map<std::string, int> seen;
    std::set<std::string> sections;  // the sections present, looked up here rather than by root[name]
    for (const auto& entry : root) sections.insert(entry.first.Scalar());
    std::set<std::string> walked_as_meant;  // each misspelt section stands in for the one meant once
    for (const auto& entry : root) {
      const YAML::Node key_node = entry.first;
      const YAML::Node value_node = entry.second;
      const std::string key = key_node.Scalar();
      if (is_duplicate(seen, key_node, shown_key(key))) continue;
      const YAML::Node& value = value_node;
      if (key == "connection_type") {
        auto v = scalar(value, key, key);
        if (!v) continue;
        if (auto t = parse_connection_type(*v)) {
          result_.config.type = *t;
        } else {
          add(Severity::error, value.Mark(), key, "unknown connection type '" + *v + "'",
              "use one of " + core::join(connection_type_names(), ", "));
        }
      } else if (!walk_section(key, value)) {
        add(Severity::error, key_node.Mark(), shown_key(key), "unknown section '" + shown_key(key) + "'",
            suggestion(key, top_level_keys()));
        // A misspelt section (connection_setings) is still checked as the one meant, so its own
        // typos are reported in the same pass; the config is unusable either way.
        const std::string meant = core::did_you_mean(key, top_level_keys());
        if (!meant.empty() && meant != "connection_type" && !sections.count(meant) &&
            walked_as_meant.insert(meant).second)
          walk_section(meant, value);
      }
    }
  }

  bool walk_section(const std::string& key, const YAML::Node& value) {
    if (key == "connection_settings")
      walk_connection(value);
    else if (key == "sync_settings")
      walk_session(value, key, result_.config.sync_settings);
    else if (key == "async_settings")
      walk_session(value, key, result_.config.async_settings);
    else if (key == "pool_settings")
      walk_pool(value, key, result_.config.pool);
    else if (key == "async_pool_settings")
      walk_pool(value, key, result_.config.async_pool);
    else
      return false;
    return true;
  }

  // A single value, interpolated when asked; nullopt for null/empty or on error (reported).
  std::optional<std::string> scalar(const YAML::Node& node, const std::string& key, const std::string& path) {
    if (!node || node.IsNull()) return std::nullopt;
    try {
      if (node.IsMap() && node.size() == 1 && (node["from_env"] || node["from_file"])) {
        if (!options_.resolve_env) {
          add(Severity::error, node.Mark(), path, "from_env/from_file needs --resolve-env",
              "pass --resolve-env to read values from the environment or files");
          return std::nullopt;
        }
        if (node["from_env"]) {
          const std::string var = node["from_env"].Scalar();
          if (var.empty()) throw InterpolationError("from_env needs a variable name", "write {from_env: NAME}");
          return value_from_env(var, options_.env);
        }
        return value_from_file(node["from_file"].Scalar());
      }
      if (!node.IsScalar()) {
        add(Severity::error, node.Mark(), path,
            "expected a single value, found a " + std::string(node.IsMap() ? "mapping" : "list"), "");
        return std::nullopt;
      }
      std::string text = node.Scalar();
      if (has_env_reference(text)) {
        if (options_.resolve_env) {
          text = expand_env_refs(text, key, options_.allow_sensitive_defaults, options_.env);
        } else {
          add(Severity::warning, node.Mark(), path, "holds a ${...} reference that is used literally",
              "pass --resolve-env to substitute environment variables");
        }
      }
      return text;
    } catch (const InterpolationError& e) {
      add(Severity::error, node.Mark(), path, e.what(), e.hint());
      return std::nullopt;
    }
  }

  bool expect_map(const YAML::Node& node, const std::string& path) {
    if (node.IsNull()) return false;  // an empty section is allowed
    if (!node.IsMap()) {
      add(Severity::error, node.Mark(), path, "must be a mapping of key: value", "");
      return false;
    }
    return true;
  }

  void walk_connection(const YAML::Node& node) {
    if (!expect_map(node, "connection_settings")) return;
    std::vector<std::string> candidates;
    for (const auto& s : connection_keys()) candidates.push_back(s.name);
    for (const auto& k : libpq_keywords()) candidates.push_back(k);
    std::map<std::string, int> seen;
    for (const auto& entry : node) {
      const YAML::Node key_node = entry.first;
      const YAML::Node value_node = entry.second;
      const std::string key = key_node.Scalar();
      const std::string path = "connection_settings." + shown_key(key);
      if (is_duplicate(seen, key_node, path)) continue;
      const KeySpec* spec = find_spec(connection_keys(), key);
      KeySpec generic{key, ValueKind::text, 0, -1, {}};
      if (!spec && is_libpq_keyword(key)) spec = find_spec(libpq_value_keys(), key);
      if (!spec && is_libpq_keyword(key)) spec = &generic;
      if (!spec) {
        add(Severity::error, key_node.Mark(), path, "unknown connection setting '" + shown_key(key) + "'",
            suggestion(key, candidates));
        continue;
      }
      auto raw = scalar(value_node, key, path);
      if (!raw || raw->empty()) continue;
      if (key == "password") {
        core::register_secret(*raw);
        // A ${VAR} or from_env/from_file reference is not a password; a ${VAR:-default} holds one.
        result_.password_in_file = value_node.IsScalar() && (!has_env_reference(value_node.Scalar()) ||
                                                             value_node.Scalar().find(":-") != std::string::npos);
      }
      if (spec->kind == ValueKind::text && value_node.IsScalar() && value_node.Tag() == "?") {
        // Plain (unquoted) text that pgmonkey's YAML parser would turn into something else.
        if (std::string reading = yaml11_reading(value_node.Scalar()); !reading.empty())
          add(Severity::warning, value_node.Mark(), path,
              "unquoted " + (is_sensitive_key(key) ? std::string("value") : "'" + value_node.Scalar() + "'") + " is " +
                  reading + " to YAML 1.1 parsers (pgmonkey, PyYAML), not this text",
              "quote it, e.g. " + key + ": '...', so that every tool reads the same value");
      }
      std::string problem;
      auto value = check_value(*spec, *raw, problem);
      if (!value) {
        add(Severity::error, value_node.Mark(), path, problem, "");
        continue;
      }
      if ((key == "dbname" || key == "service") &&
          (value->find("://") != std::string::npos || value->find('=') != std::string::npos)) {
        // Not expanded (it could carry a password into messages); never echoed for that reason.
        add(Severity::error, value_node.Mark(), path, "holds a connection string or URI, which is not expanded",
            "put host, port, user, dbname and password in their own keys");
        continue;
      }
      const int line = key_node.Mark().line + 1;
      if (key == "autocommit") {
        result_.config.autocommit = (*value == "true");
      } else {
        result_.config.connection.push_back({key, *value, line});
      }
      if ((key == "sslcert" || key == "sslkey" || key == "sslrootcert") && *value != "system") {
        struct stat st {};
        if (::stat(value->c_str(), &st) != 0)
          add(Severity::warning, value_node.Mark(), path, "file not found: " + *value,
              "check the path; libpq resolves it relative to the working directory");
      }
    }
  }

  void walk_session(const YAML::Node& node, const std::string& section, std::vector<Setting>& out) {
    if (!expect_map(node, section)) return;
    std::map<std::string, int> seen;
    for (const auto& entry : node) {
      const YAML::Node key_node = entry.first;
      const YAML::Node value_node = entry.second;
      const std::string key = key_node.Scalar();
      const std::string path = section + "." + shown_key(key);
      if (is_duplicate(seen, key_node, path)) continue;
      if (!is_setting_name(key)) {
        add(Severity::error, key_node.Mark(), path, "'" + shown_key(key) + "' is not a valid setting name",
            "use a PostgreSQL parameter name such as statement_timeout");
        continue;
      }
      auto value = scalar(value_node, key, path);
      if (!value) continue;
      out.push_back({key, *value, key_node.Mark().line + 1});
    }
  }

  void walk_pool(const YAML::Node& node, const std::string& section, PoolSettings& pool) {
    if (!expect_map(node, section)) return;
    pool.present = true;
    std::vector<std::string> names;
    for (const auto& s : pool_keys()) names.push_back(s.name);
    std::map<std::string, int> seen;
    for (const auto& entry : node) {
      const YAML::Node key_node = entry.first;
      const YAML::Node value_node = entry.second;
      const std::string key = key_node.Scalar();
      const std::string path = section + "." + shown_key(key);
      if (is_duplicate(seen, key_node, path)) continue;
      const KeySpec* spec = find_spec(pool_keys(), key);
      if (!spec) {
        add(Severity::error, key_node.Mark(), path, "unknown pool setting '" + shown_key(key) + "'",
            suggestion(key, names));
        continue;
      }
      auto raw = scalar(value_node, key, path);
      if (!raw) continue;
      std::string problem;
      auto value = check_value(*spec, *raw, problem);
      if (!value) {
        add(Severity::error, value_node.Mark(), path, problem, "");
        continue;
      }
      if (key == "min_size")
        pool.min_size = *core::parse_int(*value);
      else if (key == "max_size")
        pool.max_size = *core::parse_int(*value);
      else if (key == "timeout")
        pool.timeout = *core::parse_number(*value);
      else if (key == "max_idle")
        pool.max_idle = core::parse_number(*value);
      else if (key == "max_lifetime")
        pool.max_lifetime = core::parse_number(*value);
      else if (key == "check_on_checkout")
        pool.check_on_checkout = (*value == "true");
      else if (key == "max_waiting")
        pool.max_waiting = core::parse_int(*value);
      else if (key == "reconnect_timeout")
        pool.reconnect_timeout = core::parse_number(*value);
      else if (key == "num_workers")
        pool.num_workers = core::parse_int(*value);
    }
    if (pool.min_size > pool.max_size) {
      add(Severity::error, node.Mark(), section,
          "min_size (" + std::to_string(pool.min_size) + ") is larger than max_size (" + std::to_string(pool.max_size) +
              ")",
          "raise max_size or lower min_size");
    }
  }

  void cross_checks() {
    const auto& c = result_.config;
    if ((c.type == ConnectionType::pool && !c.pool.present) ||
        (c.type == ConnectionType::async_pool && !c.async_pool.present)) {
      add(Severity::warning, YAML::Mark::null_mark(), "connection_type",
          std::string("connection_type is ") + to_string(c.type) + " but its pool section is missing",
          "defaults apply: min_size 1, max_size 10");
    }
  }

  std::string name_;
  const LoadOptions& options_;
  LoadResult result_;
};

std::string read_file(const std::string& path) {
  try {
    return read_small_file(path, kMaxConfigBytes, "config");
  } catch (const SmallFileError& e) {
    throw ConfigError(e.what(), {},
                      e.error_number() == ENOENT ? "create one with: pgconfig create -c " + path : e.hint());
  }
}

}  // namespace

LoadResult load_config_text(const std::string& text, const std::string& name, const LoadOptions& options) {
  if (auto pw = options.env("PGPASSWORD")) core::register_secret(*pw);
  return Loader(name, options).run(text);
}

LoadResult load_config(const std::string& path, const LoadOptions& options) {
  std::string text = read_file(path);
  LoadResult result = load_config_text(text, path, options);
  struct stat st {};
  if (result.password_in_file && ::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO))) {
    Finding f;
    f.severity = Severity::warning;
    f.file = path;
    f.message = "holds a password but is readable by group or others";
    f.hint = "chmod 600 " + path;
    result.findings.insert(result.findings.begin(), std::move(f));
  }
  return result;
}

Config require_config(const std::string& path, const LoadOptions& options, std::vector<Finding>& warnings) {
  LoadResult r = load_config(path, options);
  std::vector<std::string> errors;
  for (auto& f : r.findings) {
    if (f.severity == Severity::error)
      errors.push_back(f.to_string());
    else
      warnings.push_back(f);
  }
  if (!errors.empty()) {
    throw ConfigError("invalid config " + path + " (" + std::to_string(errors.size()) + " error" +
                          (errors.size() == 1 ? "" : "s") + ")",
                      core::join(errors, "\n"), "run `pgconfig validate -c " + path + "` for the full report");
  }
  return std::move(r.config);
}

}  // namespace pgmonkey::config
