// What a walked graph says: each node's level, the worst level, and the likely root causes —
// the CRIT dependencies whose own dependencies are healthy, not every service above them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "walk/graph.hpp"

namespace healthchecks::walk {

/// One dependency named in the summary, once however many services depend on it.
struct Finding {
  std::size_t node = 0;
  Level level = Level::crit;
  /// What the first service that saw it at that level says (the entry's details), and why its
  /// traversal failed, if it did.
  std::string details;
  /// The services that see it at that level, in graph order.
  std::vector<std::size_t> seen_from;
};

struct Findings {
  /// Per node: how its parents see it (the worst of its incoming edges); the root's is the worst
  /// of its own dependencies (OK without any). nullopt when it cannot be told.
  std::vector<std::optional<Level>> levels;
  /// The worst level over every edge; nullopt when there is none (or the root was not reached).
  std::optional<Level> worst;
  /// CRIT nodes that are a leaf, were not walked or failed, or whose own dependencies are none
  /// CRIT; in a CRIT cycle with no such node below it, the nodes of the cycle.
  std::vector<Finding> root_causes;
  /// The same rule for WARN nodes (none of their dependencies WARN or CRIT).
  std::vector<Finding> degraded;
  /// Traversable dependencies whose traversal failed, with `problem` saying why.
  std::vector<std::size_t> unreachable;
};

Findings analyse(const Graph& graph);

/// The exit code of healthchecks-walk: 0, 1, 2 for the worst level OK, WARN, CRIT; 3 when the
/// root was not reached or sent no About.
int exit_code(const Graph& graph, const Findings& findings);

}  // namespace healthchecks::walk
