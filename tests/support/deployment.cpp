#include "support/deployment.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace healthchecks::testing {

std::string deployment_file(const std::string& name) {
  const std::string path = std::string(HEALTHCHECKS_SOURCE_DIR) + "/docs/deployment/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  if (text.find(from) == std::string::npos) {
    throw std::runtime_error("the snippet no longer contains \"" + from +
                             "\": update the test with it");
  }
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

unsigned short DocSidecar::documented_port() {
  const auto doc = nlohmann::json::parse(deployment_file("sidecar.json"));
  const auto listen = doc.at("listen").get<std::string>();
  return static_cast<unsigned short>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

DocSidecar::DocSidecar(const std::string& sidecar_path, Options options) {
  auto doc = nlohmann::json::parse(deployment_file("sidecar.json"));
  doc["listen"] = "127.0.0.1:0";
  if (options.drain_ms) doc["drainMs"] = *options.drain_ms;
  if (!options.id.empty()) doc["about"]["id"] = options.id;
  if (!options.overlay_json.empty()) {
    const auto overlay = nlohmann::json::parse(options.overlay_json);
    for (const auto& [key, value] : overlay.items()) {
      doc[key] = value;
    }
  }
  for (auto& check : doc.at("checks")) {
    nlohmann::json stand_in = {{"name", check.at("name")},
                               {"slug", check.at("slug")},
                               {"type", check.at("type")},  // explicit in the docs, as it must be
                               {"check", "static"}};
    if (check.contains("tags")) stand_in["tags"] = check["tags"];
    const auto level = options.levels.find(check.at("slug").get<std::string>());
    stand_in["result"] = level == options.levels.end() ? "OK" : level->second;
    check = stand_in;
  }
  process_ = std::make_unique<Process>(
      std::vector<std::string>{sidecar_path, "--config", dir_.write("sidecar.json", doc.dump())});
  port_ = wait_until_serving(*process_);
}

std::vector<Probe> kubernetes_probes(const std::string& yaml) {
  std::vector<Probe> probes;
  std::istringstream in(yaml);
  std::string line;
  const auto value = [&](const std::string& key) -> std::optional<std::string> {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, key.size(), key) != 0) {
      return std::nullopt;
    }
    return line.substr(start + key.size());
  };
  while (std::getline(in, line)) {
    for (const char* kind : {"startupProbe:", "livenessProbe:", "readinessProbe:"}) {
      if (value(kind)) probes.push_back({std::string(kind, std::string(kind).size() - 1), "", 0});
    }
    if (probes.empty()) continue;
    if (const auto path = value("path: ")) probes.back().path = *path;
    if (const auto port = value("port: ")) probes.back().port = std::stoi(*port);
  }
  return probes;
}

}  // namespace healthchecks::testing
