// Renders template text: {{name}} is replaced by a value; {{#name}}...{{/name}} is kept only
// when the value is non-empty and not "false", {{^name}}...{{/name}} only when it is.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pgmonkey::core {

using TemplateValues = std::map<std::string, std::string>;

// Throws std::invalid_argument naming the variable when the template uses one not given,
// so a template and its caller cannot drift apart silently.
std::string render(std::string_view text, const TemplateValues& values);

}  // namespace pgmonkey::core
