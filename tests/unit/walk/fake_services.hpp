// A service graph in memory for the walker's tests: services answer About (and traversals
// through the root) from a table, with no socket; any target can be made to answer otherwise.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/text.hpp"
#include "walk/walker.hpp"

namespace healthchecks::walk::testing {

struct FakeDependency {
  std::string slug;
  Level level = Level::ok;
  std::string details;
  std::string to;  ///< the id of the service it is; empty for a leaf
  std::string name;
};

class FakeServices {
 public:
  /// `root` is the id of the service the walk starts at.
  explicit FakeServices(std::string root) : root_(std::move(root)) {}

  /// Adds (or extends) service `id` with a dependency on `to` (a service id; "" for a leaf).
  FakeServices& add(const std::string& id, std::string slug, Level level, std::string details = "",
                    std::string to = "", std::string name = "") {
    return add(id, FakeDependency{std::move(slug), level, std::move(details), std::move(to),
                                  std::move(name)});
  }
  FakeServices& add(const std::string& id, FakeDependency dependency) {
    auto& service = services_[id];
    if (dependency.name.empty()) dependency.name = dependency.slug;
    service.push_back(std::move(dependency));
    return *this;
  }
  FakeServices& service(const std::string& id) {
    services_[id];
    return *this;
  }
  /// Answers `target` with `fetched` instead.
  FakeServices& answer(const std::string& target, Fetched fetched) {
    overrides_[target] = std::move(fetched);
    return *this;
  }

  /// The About of service `id`.
  std::string about(const std::string& id) const {
    nlohmann::json about = {{"id", id}, {"name", "Service " + id}, {"host", "host"}};
    about["dependencies"] = nlohmann::json::array();
    for (const auto& dependency : services_.at(id)) {
      nlohmann::json status = nlohmann::json::array({std::string(to_string(dependency.level))});
      if (dependency.level != Level::ok || !dependency.details.empty()) {
        status.push_back({{"description", dependency.name},
                          {"result", std::string(to_string(dependency.level))},
                          {"details", dependency.details}});
      }
      about["dependencies"].push_back({{"name", dependency.name},
                                       {"status", status},
                                       {"statusDuration", 0.0015},
                                       {"statusPath", dependency.slug},
                                       {"type", "internal"},
                                       {"isTraversable", !dependency.to.empty()}});
    }
    return about.dump();
  }

  Fetched respond(const std::string& target) const {
    targets_.push_back(target);
    if (const auto it = overrides_.find(target); it != overrides_.end()) return it->second;
    if (target == "/status/about") return {"", 200, about(root_)};
    const std::string prefix = "/status/traverse?dependencies=";
    const std::string suffix = "&action=about";
    if (target.rfind(prefix, 0) != 0) return {"", 404, "[\"CRIT\"]"};
    const auto list = target.substr(prefix.size(), target.size() - prefix.size() - suffix.size());
    std::string at = root_;
    for (const auto& slug : detail::split(list, ',')) {
      std::string next;
      for (const auto& dependency : services_.at(at)) {
        if (dependency.slug == slug) next = dependency.to;
      }
      if (next.empty()) {
        return {
            "", 200,
            R"(["CRIT",{"description":"Can't traverse","result":"CRIT","details":"Status path ')" +
                slug + R"(' is not registered"}])"};
      }
      at = next;
    }
    return {"", 200, about(at)};
  }

  /// A fetch that answers at once.
  Fetch fetch() const {
    return [this](const std::string& target, std::function<void(Fetched)> done) {
      done(respond(target));
    };
  }

  const std::vector<std::string>& targets() const { return targets_; }

 private:
  std::string root_;
  std::map<std::string, std::vector<FakeDependency>> services_;
  std::map<std::string, Fetched> overrides_;
  mutable std::vector<std::string> targets_;
};

/// Walks `services` to the end (every fetch answers at once).
inline Graph walk_all(const FakeServices& services, WalkOptions options = {}) {
  options.url = "http://127.0.0.1:8080/status";
  Walker walker(options, services.fetch());
  Graph result;
  bool done = false;
  walker.start([&](Graph graph) {
    result = std::move(graph);
    done = true;
  });
  if (!done) result.root_error = "the walk did not finish";
  return result;
}

/// The node whose name is `name` (services are named "Service <id>", leaves by their slug).
inline std::size_t node_named(const Graph& graph, const std::string& name) {
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].name == name) return i;
  }
  return graph.nodes.size();
}

// A graph whose every text is hostile: quotes, newlines, brackets, HTML, escapes.
inline Graph hostile_graph() {
  const std::string evil =
      "x\"];\n}\ndigraph { evil } <script>alert(1)</script> #quot; `md` |pipe| %% \\N \x1b[31m";
  FakeServices services("root");
  services.add("root", "a", Level::crit, evil, "a", evil);
  services.add("a", "db", Level::warn, evil, "", evil);
  auto graph = walk_all(services);
  for (auto& node : graph.nodes) node.name += evil;
  return graph;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace healthchecks::walk::testing
