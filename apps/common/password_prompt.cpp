// Password prompt on /dev/tty with echo off; the terminal is restored even on error.
#include "common/password_prompt.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "core/error.hpp"
#include "core/redact.hpp"

namespace pgmonkey::app {

std::string prompt_password(const std::string& prompt) {
  // The terminal, not stdin: stdin may be the CSV data (pgimport -).
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    throw UsageError("-W/--password needs a terminal to prompt on",
                     "set PGPASSWORD, use ~/.pgpass, or put the password in the config");
  termios saved{};
  bool have_termios = ::tcgetattr(fd, &saved) == 0;
  if (have_termios) {
    termios quiet = saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  std::string password;
  char ch = 0;
  for (;;) {
    ssize_t n = ::read(fd, &ch, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || ch == '\n' || ch == '\r') break;
    password += ch;
  }
  if (have_termios) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
  } else {
    (void)!::write(fd, "\n", 1);
  }
  ::close(fd);
  core::register_secret(password);
  return password;
}

}  // namespace pgmonkey::app
