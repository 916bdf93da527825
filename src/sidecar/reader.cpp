#include "sidecar/reader.hpp"

#include <algorithm>
#include <cstdio>

#include "detail/text.hpp"

namespace healthchecks::sidecar {

std::string shown(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;  // as the registry: shorter ones would mask ordinary text
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
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
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else if (c == '\t') {
      line += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      line += escaped;
    } else {
      line += c;
    }
  }
  return line;
}

}  // namespace healthchecks::sidecar
