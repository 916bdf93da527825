#include "sidecar/reader.hpp"

#include <algorithm>
#include <cstdio>

#include "util/text.hpp"

namespace healthchecks::sidecar {

std::string shown(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  text = detail::mask_secrets(std::move(text), secrets);
  text = detail::mask_url_passwords(std::move(text));
  std::string line;
  detail::append_one_line(line, text);
  return line;
}

}  // namespace healthchecks::sidecar
