#include "util/text.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "util/utf8.hpp"

namespace healthchecks::detail {

bool read_whole_file(const std::string& path, std::string& content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return false;
  content = buffer.str();
  return true;
}

std::string trim_space(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n\v\f");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n\v\f");
  return std::string(text.substr(first, last - first + 1));
}

void append_one_line(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const auto length = utf8_length(text, i);
      if (length == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
}

std::string mask_url_passwords(std::string text) {
  for (auto at = text.find("://"); at != std::string::npos; at = text.find("://", at + 3)) {
    const auto start = at + 3;
    const auto end = std::min(text.find_first_of("/?#\"' \\", start), text.size());
    const auto sign = text.rfind('@', end == start ? start : end - 1);
    if (sign == std::string::npos || sign < start) continue;
    const auto colon = text.find(':', start);
    if (colon >= sign || colon + 1 == sign || text.compare(colon + 1, sign - colon - 1, "***") == 0)
      continue;
    text.replace(colon + 1, sign - colon - 1, "***");
  }
  return text;
}

}  // namespace healthchecks::detail
