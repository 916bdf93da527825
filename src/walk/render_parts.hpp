// What the walk's renderers (render.cpp, diagram.cpp) share: walking text by character for
// escaping, and the names they give to nodes and levels.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "healthchecks/status.hpp"
#include "util/utf8.hpp"
#include "walk/graph.hpp"

namespace healthchecks::walk {

// Calls `byte(c)` for each ASCII byte and `other(sequence)` for each valid UTF-8 sequence of two
// bytes or more; bytes that are not UTF-8 come as U+FFFD, C1 controls (U+0080..U+009F) as
// `control(code)`. What every escaper here shares.
template <class Byte, class Other, class Control>
void each_char(std::string_view text, Byte byte, Other other, Control control) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      byte(static_cast<char>(c));
      ++i;
      continue;
    }
    const auto length = detail::utf8_length(text, i);
    if (length == 0) {
      other(std::string_view("\xEF\xBF\xBD"));
      ++i;
    } else if (length == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      control(static_cast<unsigned char>(text[i + 1]));
      i += 2;
    } else {
      other(text.substr(i, length));
      i += length;
    }
  }
}

/// The last slug of the node's path ("" for the root).
std::string slug_of(const Graph& graph, std::size_t node);

/// "ok", "warn", "crit" or "unknown" (no level).
std::string level_name(const std::optional<Level>& level);

}  // namespace healthchecks::walk
