// Source-code literals and comments for generated programs.
#include "codegen/literals.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace pgmonkey::codegen {
namespace {

std::string octal(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(c));
  return buf;
}

std::string hex(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
  return buf;
}

}  // namespace

std::string c_string_literal(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '?':  // "?\?=" would be a trigraph under -std=c11
        out += "\\?";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c >= 0x20 && c < 0x7f)
          out += ch;
        else
          out += octal(c);
    }
  }
  return out + "\"";
}

std::string python_string_literal(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // Bytes >= 0x80 are kept: Python source is UTF-8, so a UTF-8 path reads back unchanged.
        if (c < 0x20 || c == 0x7f)
          out += hex(c);
        else
          out += ch;
    }
  }
  return out + "'";
}

std::string comment_text(std::string_view text) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f)
      out += '?';
    else if (ch == '/' && !out.empty() && out.back() == '*')
      out += " /";
    else
      out += ch;
  }
  return out;
}

std::string shell_word(std::string_view text) {
  auto plain = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_-./+:=@%,").find(c) != std::string_view::npos;
  };
  if (!text.empty() && std::all_of(text.begin(), text.end(), plain)) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace pgmonkey::codegen
