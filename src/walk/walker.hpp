// The walk itself, without sockets: asks a fetch function for the root's About, then for each
// traversable dependency's About through the root's /status/traverse, a bounded number at a
// time, and builds the Graph. Each service is expanded once, so the walk makes at most one
// request per traversable edge plus one.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "walk/answer.hpp"
#include "walk/graph.hpp"

namespace healthchecks::walk {

/// Sends one GET for `target` (origin form, e.g. "/status/about") and calls `done` once, from
/// any thread, possibly before it returns.
using Fetch = std::function<void(const std::string& target, std::function<void(Fetched)> done)>;

struct WalkOptions {
  std::string url;                      ///< shown as Graph::url
  std::string status_base = "/status";  ///< the path of the root's status endpoints
  int parallel = 8;                     ///< requests in flight at most
  int depth = 32;                       ///< hops from the root at most
  std::size_t max_services = 1000;      ///< services expanded at most
  /// No request starts after it: what is left reads "not walked".
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

/// The target that asks the root for the About at the end of `path`: "<base>/about" for the root,
/// "<base>/traverse?dependencies=a,b&action=about" beyond.
std::string about_target(const std::string& status_base, const std::vector<std::string>& path);

class Walker {
 public:
  struct Progress {
    std::size_t services = 0;
    std::size_t in_flight = 0;
  };

  Walker(WalkOptions options, Fetch fetch);
  ~Walker();
  Walker(const Walker&) = delete;
  Walker& operator=(const Walker&) = delete;

  /// Starts the walk; `done` gets the graph once nothing is left to fetch, on the thread that
  /// completed the last request (inside start() when every fetch answers at once). Call once.
  void start(std::function<void(Graph)> done);
  Progress progress() const;
  /// The graph as far as it got (for a walk abandoned at its deadline).
  Graph snapshot() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace healthchecks::walk
