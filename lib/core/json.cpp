// A small JSON value with a writer.
#include "core/json.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace pgmonkey::core {

Json& Json::set(const std::string& key, Json value) {
  auto* obj = std::get_if<Object>(&value_);
  if (!obj) throw std::logic_error("Json::set on a non-object");
  for (auto& [k, v] : *obj) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  obj->emplace_back(key, std::move(value));
  return *this;
}

Json& Json::push(Json value) {
  auto* arr = std::get_if<Array>(&value_);
  if (!arr) throw std::logic_error("Json::push on a non-array");
  arr->push_back(std::move(value));
  return *this;
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string Json::dump(int indent) const {
  std::string out;
  write(out, indent, 0);
  return out;
}

void Json::write(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent > 0) {
      out += '\n';
      out.append(static_cast<std::size_t>(indent * d), ' ');
    }
  };
  if (std::holds_alternative<std::nullptr_t>(value_)) {
    out += "null";
  } else if (auto* b = std::get_if<bool>(&value_)) {
    out += *b ? "true" : "false";
  } else if (auto* i = std::get_if<std::int64_t>(&value_)) {
    out += std::to_string(*i);
  } else if (auto* d = std::get_if<double>(&value_)) {
    if (!std::isfinite(*d)) {
      out += "null";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", *d);
      out += buf;
    }
  } else if (auto* s = std::get_if<std::string>(&value_)) {
    out += json_quote(*s);
  } else if (auto* a = std::get_if<Array>(&value_)) {
    out += '[';
    for (std::size_t k = 0; k < a->size(); ++k) {
      if (k) out += indent > 0 ? "," : ", ";
      newline(depth + 1);
      (*a)[k].write(out, indent, depth + 1);
    }
    if (!a->empty()) newline(depth);
    out += ']';
  } else if (auto* o = std::get_if<Object>(&value_)) {
    out += '{';
    for (std::size_t k = 0; k < o->size(); ++k) {
      if (k) out += indent > 0 ? "," : ", ";
      newline(depth + 1);
      out += json_quote((*o)[k].first);
      out += ": ";
      (*o)[k].second.write(out, indent, depth + 1);
    }
    if (!o->empty()) newline(depth);
    out += '}';
  }
}

}  // namespace pgmonkey::core
