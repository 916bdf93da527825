#include "sidecar/reader.hpp"

#include <algorithm>
#include <cstdio>

#include "detail/text.hpp"

namespace healthchecks::sidecar {

std::string shown(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  text = detail::mask_secrets(std::move(text), secrets);
  // "scheme://user:password@host": the password, wherever a URL is quoted.
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
  std::string line;
  detail::append_one_line(line, text);
  return line;
}

}  // namespace healthchecks::sidecar
