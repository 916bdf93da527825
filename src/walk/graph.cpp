#include "walk/graph.hpp"

namespace healthchecks::walk {

bool is_missing(const std::string& value) {
  return value.empty() || value == "N/A";
}

std::string path_key(const std::vector<std::string>& path) {
  std::string key = "path:";
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i != 0) key += '/';
    key += path[i];
  }
  return key;
}

std::string identity(const ServiceAbout& about, const std::vector<std::string>& path) {
  if (is_missing(about.id)) return path_key(path);
  // The id's length first, so that no id and host can pass for another pair.
  std::string key = "id:" + std::to_string(about.id.size()) + ":" + about.id;
  if (!is_missing(about.host)) key += "@" + about.host;
  return key;
}

}  // namespace healthchecks::walk
