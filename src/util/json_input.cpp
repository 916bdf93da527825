#include "util/json_input.hpp"

#include <cmath>
#include <cstdlib>

#include "util/utf8.hpp"

namespace healthchecks::detail {
namespace {

constexpr std::string_view kReplacementEscape = "\\ufffd";
constexpr std::string_view kReplacementBytes = "\xEF\xBF\xBD";

}  // namespace

std::size_t find_too_deep(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::string too_deep_message(std::string_view text, std::size_t offset) {
  const auto [line, column] = line_and_column(text, offset);
  return "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels (line " +
         std::to_string(line) + ", column " + std::to_string(column) + ")";
}

bool rewrite_lenient(std::string_view text, std::string& out) {
  std::string rewritten;
  std::size_t copied = 0;  // text[copied, i) is still to be appended to `rewritten`
  bool changed = false;
  const auto replace = [&](std::size_t from, std::size_t length, std::string_view with) {
    if (!changed) rewritten.reserve(text.size() + 16);
    changed = true;
    rewritten.append(text.substr(copied, from - copied));
    rewritten.append(with);
    copied = from + length;
  };
  bool in_string = false;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (!in_string) {
      in_string = c == '"';
      ++i;
    } else if (c == '"') {
      in_string = false;
      ++i;
    } else if (c == '\\') {
      const long unit = escaped_unit(text, i);
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        const long low = escaped_unit(text, i + 6);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          i += 12;  // a whole pair
        } else {
          replace(i, 6, kReplacementEscape);
          i += 6;
        }
      } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        replace(i, 6, kReplacementEscape);
        i += 6;
      } else {
        i += 2;  // any other escape: nlohmann judges it
      }
    } else if (byte < 0x80) {
      ++i;
    } else if (const std::size_t n = utf8_length(text, i); n != 0) {
      i += n;
    } else {
      replace(i, 1, kReplacementBytes);
      ++i;
    }
  }
  if (!changed) return false;
  rewritten.append(text.substr(copied));
  out = std::move(rewritten);
  return true;
}

std::string json_error_text(const nlohmann::json::exception& e) {
  std::string text = e.what();
  const auto tag = text.find("] ");
  if (text.rfind("[json.exception.", 0) == 0 && tag != std::string::npos) {
    return text.substr(tag + 2);
  }
  return text;
}

JsonInput parse_untrusted_json(std::string_view text) {
  JsonInput input;
  if (const auto deep = find_too_deep(text); deep != std::string_view::npos) {
    input.value = nlohmann::json(nlohmann::json::value_t::discarded);
    input.error = too_deep_message(text, deep);
    return input;
  }
  // nlohmann stops at a NUL byte and would read `["OK"]\0anything` as ["OK"]; Go refuses it.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    input.value = nlohmann::json(nlohmann::json::value_t::discarded);
    input.error = "a NUL byte at offset " + std::to_string(nul);
    return input;
  }
  std::string rewritten;
  if (rewrite_lenient(text, rewritten)) text = rewritten;
  try {
    input.value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    input.value = nlohmann::json(nlohmann::json::value_t::discarded);
    input.error = json_error_text(e);
  }
  return input;
}

}  // namespace healthchecks::detail
