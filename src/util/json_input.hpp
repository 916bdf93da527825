// Reading JSON that others wrote: a peer's answer, a config or an about file. The input never
// decides how deep the code recurses, and text that Go's decoder reads is read here too.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace healthchecks::detail {

/// Deepest nesting of arrays and objects accepted from untrusted input. Real answers, configs
/// and About documents nest a handful of levels.
inline constexpr int kMaxJsonDepth = 64;

/// The byte offset at which `text` opens nesting level `limit + 1`, or npos when it stays
/// within `limit` levels. Strings are skipped; the text need not be valid JSON.
std::size_t find_too_deep(std::string_view text, int limit = kMaxJsonDepth);

/// 1-based line and column of byte `offset` of `text`, for messages.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset);

/// "nested deeper than 64 levels (line L, column C)".
std::string too_deep_message(std::string_view text, std::size_t offset);

/// Rewrites inside strings what nlohmann refuses and Go's decoder reads as U+FFFD: a \u escape
/// of half a surrogate pair (JavaScript writes one when it cuts a string inside an emoji) and
/// bytes that are not UTF-8. Returns false, leaving `out` alone, when nothing needs rewriting.
bool rewrite_lenient(std::string_view text, std::string& out);

/// nlohmann's message without its "[json.exception.parse_error.101] " tag.
std::string json_error_text(const nlohmann::json::exception& e);

struct JsonInput {
  nlohmann::json value;  ///< discarded when `error` is set
  std::string error;     ///< why the text was not read, or empty
};

/// Parses untrusted text: nested deeper than kMaxJsonDepth is an error, the rewrites of
/// rewrite_lenient() are applied, any other fault is nlohmann's message (a number too large for
/// a double is one, as it is for Go).
JsonInput parse_untrusted_json(std::string_view text);

/// The value of a hex digit, or -1.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a "\uXXXX" escape starting at text[i] (the backslash), or -1.
inline long escaped_unit(std::string_view text, std::size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  long unit = 0;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    const int digit = hex_value(text[k]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

/// Checks that `text` can be passed on as JSON: within the depth limit, and valid once
/// rewritten as above (the rewrite is applied to `text`). Returns why not in a few words
/// ("nested deeper than ...", "not valid JSON"), or "" when it can. Builds no document.
std::string validate_untrusted_json(std::string& text);

}  // namespace healthchecks::detail
