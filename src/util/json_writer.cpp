#include "util/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/utf8.hpp"

namespace healthchecks::detail {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// ASCII that JSON and HTML script contexts take as it is: copied in runs, not one by one (about
// and aggregate bodies are mostly such text).
constexpr bool plain(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

void append_unicode_escape(std::string& out, unsigned code) {
  out += "\\u";
  out += kHex[(code >> 12) & 0xF];
  out += kHex[(code >> 8) & 0xF];
  out += kHex[(code >> 4) & 0xF];
  out += kHex[code & 0xF];
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size() && plain(static_cast<unsigned char>(text[end]))) ++end;
    if (end != i) {
      out.append(text.data() + i, end - i);
      i = end;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
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
        case '<':
        case '>':
        case '&':
          append_unicode_escape(out, c);
          break;
        default:  // the other control characters (plain ones went above)
          append_unicode_escape(out, c);
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    // U+2028 and U+2029 end lines in JavaScript; Go escapes them, so do we.
    if (n == 3 && c == 0xE2 && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8) {
      append_unicode_escape(out, 0x2028u + (static_cast<unsigned char>(text[i + 2]) & 1u));
    } else {
      out.append(text.data() + i, n);
    }
    i += n;
  }
  out += '"';
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {  // not representable in JSON
    out += '0';
    return;
  }
  char buf[64];
  const double magnitude = std::fabs(value);
  const bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  const auto result =
      std::to_chars(buf, buf + sizeof buf, value,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string_view text(buf, static_cast<std::size_t>(result.ptr - buf));
  if (exponent) {
    // Go writes e-7 where printf writes e-07.
    const auto e = text.find('e');
    if (e != std::string_view::npos && e + 3 < text.size() && text[e + 2] == '0') {
      out.append(text.substr(0, e + 2));
      out.append(text.substr(e + 3));
      return;
    }
  }
  out.append(text);
}

void append_json_seconds(std::string& out, std::chrono::nanoseconds duration) {
  auto ns = duration.count();
  if (ns < 0) ns = 0;
  // Written back to front into one buffer and appended once: About writes two per dependency.
  char text[32];
  char* end = text + sizeof text;
  char* at = end;
  auto whole = static_cast<unsigned long long>(ns / 1'000'000'000);
  auto fraction = static_cast<unsigned long>(ns % 1'000'000'000);
  if (fraction != 0) {
    int digits = 9;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    for (; digits > 0; --digits, fraction /= 10) *--at = static_cast<char>('0' + fraction % 10);
    *--at = '.';
  }
  do {
    *--at = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  out.append(at, static_cast<std::size_t>(end - at));
}

namespace {

// Writes a scalar, or opens a container and leaves it on `open` for append_json's loop.
struct Open {
  const nlohmann::json* container;
  nlohmann::json::const_iterator next;
};

void append_value(std::string& out, const nlohmann::json& value, std::vector<Open>& open) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
    case nlohmann::json::value_t::binary:
      out += "null";
      break;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      break;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      break;
    case nlohmann::json::value_t::number_float:
      append_json_number(out, value.get<double>());
      break;
    case nlohmann::json::value_t::string:
      append_json_string(out, value.get_ref<const std::string&>());
      break;
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::object:
      out += value.is_array() ? '[' : '{';
      open.push_back(Open{&value, value.cbegin()});
      break;
  }
}

}  // namespace

// A loop over an explicit stack, not recursion: however deep a value nests, the call stack
// does not grow with it.
void append_json(std::string& out, const nlohmann::json& value) {
  std::vector<Open> open;
  append_value(out, value, open);
  while (!open.empty()) {
    Open& top = open.back();
    if (top.next == top.container->cend()) {
      out += top.container->is_array() ? ']' : '}';
      open.pop_back();
      continue;
    }
    if (top.next != top.container->cbegin()) out += ',';
    const auto element = top.next++;
    if (top.container->is_object()) {
      append_json_string(out, element.key());
      out += ':';
    }
    append_value(out, *element, open);  // may grow `open`: `top` is not used after this
  }
}

void append_status_object(std::string& out, const Status& status) {
  out += "{\"description\":";
  append_json_string(out, status.description);
  out += ",\"result\":\"";
  out += to_string(status.level);
  out += "\",\"details\":";
  append_json_string(out, status.details);
  out += '}';
}

void append_status_v1(std::string& out, const Status& status) {
  if (status.level == Level::ok) {
    out += "[\"OK\"]";
    return;
  }
  out += "[\"";
  out += to_string(status.level);
  out += "\",";
  append_status_object(out, status);
  out += ']';
}

}  // namespace healthchecks::detail
