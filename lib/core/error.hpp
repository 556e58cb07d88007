// The one error hierarchy: every failure the tools report carries its exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace pgmonkey {

// Exit codes shared by every tool (documented in the man pages).
enum class ExitCode : int {
  ok = 0,
  failed = 1,   // the job ran and failed: bad data, failed check, audit findings
  usage = 2,    // usage or configuration error
  connect = 3,  // could not connect
  interrupted = 130,
};

// Base of all errors thrown by the core. `detail` and `hint` follow PostgreSQL's
// error/detail/hint layout; the apps print them on separate lines.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string message, std::string detail = {}, std::string hint = {});
  ExitCode code() const noexcept { return code_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }

 private:
  ExitCode code_;
  std::string detail_;
  std::string hint_;
};

// Wrong flags or an impossible combination of them.
class UsageError : public Error {
 public:
  explicit UsageError(std::string message, std::string hint = {})
      : Error(ExitCode::usage, std::move(message), {}, std::move(hint)) {}
};

// The configuration file (or a sidecar config) is unreadable or invalid.
class ConfigError : public Error {
 public:
  explicit ConfigError(std::string message, std::string detail = {}, std::string hint = {})
      : Error(ExitCode::usage, std::move(message), std::move(detail), std::move(hint)) {}
};

// What kind of connection failure happened; decides the hint and whether retrying helps.
enum class ConnectFailure {
  unknown,
  unknown_host,
  refused,
  timeout,
  authentication,
  database_missing,
  tls,
  too_many_connections,
  starting_up,
};

// The server could not be reached or refused the session.
class ConnectError : public Error {
 public:
  ConnectError(ConnectFailure kind, std::string message, std::string hint = {})
      : Error(ExitCode::connect, std::move(message), {}, std::move(hint)), kind_(kind) {}
  ConnectFailure kind() const noexcept { return kind_; }

 private:
  ConnectFailure kind_;
};

// The job ran and failed (bad data, a failed check, a server-side SQL error).
class JobError : public Error {
 public:
  explicit JobError(std::string message, std::string detail = {}, std::string hint = {}, std::string sqlstate = {})
      : Error(ExitCode::failed, std::move(message), std::move(detail), std::move(hint)),
        sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// Ctrl-C or SIGTERM stopped the job; everything was rolled back.
class InterruptedError : public Error {
 public:
  InterruptedError() : Error(ExitCode::interrupted, "interrupted; nothing was changed") {}
};

}  // namespace pgmonkey
