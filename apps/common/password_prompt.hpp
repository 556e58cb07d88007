// -W: read a password from the terminal without echo, as psql's prompt does.
#pragma once

#include <string>

namespace pgmonkey::app {

// Prints `prompt` on the controlling terminal and reads one line with echo off. Throws
// UsageError when there is no terminal to ask on.
std::string prompt_password(const std::string& prompt);

}  // namespace pgmonkey::app
