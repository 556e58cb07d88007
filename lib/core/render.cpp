// Template rendering with variables and sections.
#include "core/render.hpp"

#include <stdexcept>

namespace pgmonkey::core {
namespace {

const std::string& lookup(const TemplateValues& values, const std::string& name) {
  auto it = values.find(name);
  if (it == values.end()) throw std::invalid_argument("template variable not provided: " + name);
  return it->second;
}

bool truthy(const std::string& v) {
  return !v.empty() && v != "false";
}

}  // namespace

std::string render(std::string_view text, const TemplateValues& values) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) throw std::invalid_argument("unterminated {{ in template");
    std::string tag(text.substr(open + 2, close - open - 2));
    pos = close + 2;
    if (!tag.empty() && (tag[0] == '#' || tag[0] == '^')) {
      std::string name = tag.substr(1);
      std::string end_tag = "{{/" + name + "}}";
      // A section tag alone on its line should not leave a blank line behind.
      if (pos < text.size() && text[pos] == '\n' && (out.empty() || out.back() == '\n')) ++pos;
      auto end = text.find(end_tag, pos);
      if (end == std::string_view::npos) throw std::invalid_argument("section not closed: " + name);
      bool show = truthy(lookup(values, name));
      if (tag[0] == '^') show = !show;
      if (show) out += render(text.substr(pos, end - pos), values);
      pos = end + end_tag.size();
      // A section tag alone on its line should not leave a blank line behind.
      if (pos < text.size() && text[pos] == '\n' && (out.empty() || out.back() == '\n')) ++pos;
    } else {
      out += lookup(values, tag);
    }
  }
  return out;
}

}  // namespace pgmonkey::core
