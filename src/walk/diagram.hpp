// The walked graph as a diagram: Graphviz and a Mermaid flowchart, nodes and edges coloured by
// level. Services write the labels, so each is escaped for its format: no broken quoting, no
// markup.
#pragma once

#include <string>

#include "walk/findings.hpp"
#include "walk/graph.hpp"

namespace healthchecks::walk {

/// `digraph` for Graphviz, nodes filled by level (green, amber, red, grey for unknown).
std::string render_dot(const Graph& graph, const Findings& findings);

/// A Mermaid `flowchart LR`: nodes n0, n1... with quoted labels, classDef ok/warn/crit/unknown.
std::string render_mermaid(const Graph& graph, const Findings& findings);

}  // namespace healthchecks::walk
