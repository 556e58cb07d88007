// Encoding plans for the export.
#include "transfer/export_encoding.hpp"

#include <cctype>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace pgmonkey::transfer {
namespace {

// Lower case without '-', '_', '.', ' ': "ISO-8859-1" and "iso_8859_1" compare equal.
std::string squash(const std::string& name) {
  std::string out;
  for (unsigned char c : name)
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  return out;
}

}  // namespace

EncodingPlan plan_encoding(const std::string& name) {
  std::string key = squash(name);
  EncodingPlan p;
  p.server_encoding = "UTF8";
  if (key.empty()) throw UsageError("the encoding name is empty");
  if (key == "utf16" || key == "utf16le") {
    p.client = ClientTranscode::utf16le;
    p.bom = "\xFF\xFE";
  } else if (key == "utf16be") {
    p.client = ClientTranscode::utf16be;
    p.bom = "\xFE\xFF";
  } else if (key == "ascii" || key == "usascii") {
    p.client = ClientTranscode::ascii_check;
  } else if (key == "utf8sig") {
    p.bom = "\xEF\xBB\xBF";
  } else if (key.size() > 2 && key.compare(0, 2, "cp") == 0 && core::parse_int(key.substr(2))) {
    p.server_encoding = "WIN" + key.substr(2);  // Python's cp1252 is PostgreSQL's WIN1252
  } else {
    p.server_encoding = name;
  }
  return p;
}

std::string display_encoding(const EncodingPlan& plan, const std::string& canonical) {
  switch (plan.client) {
    case ClientTranscode::utf16le:
      return "UTF-16LE";
    case ClientTranscode::utf16be:
      return "UTF-16BE";
    case ClientTranscode::ascii_check:
      return "ASCII";
    case ClientTranscode::none:
      break;
  }
  return plan.bom.empty() ? canonical : canonical + " with BOM";
}

bool is_client_only(const std::string& enc) {
  for (const char* e : {"SJIS", "SHIFT_JIS_2004", "BIG5", "GBK", "UHC", "GB18030", "JOHAB"})
    if (enc == e) return true;
  return false;
}

}  // namespace pgmonkey::transfer
