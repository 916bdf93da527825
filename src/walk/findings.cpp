#include "walk/findings.hpp"

#include <deque>

namespace healthchecks::walk {
namespace {

// The nodes seen at `level` whose own dependencies are all better than `unhealthy`; then, for
// nodes in a cycle that all read `level`, those from which no such node can be reached.
std::vector<Finding> pick(const Graph& graph, const std::vector<std::optional<Level>>& levels,
                          Level level, Level unhealthy) {
  const std::size_t n = graph.nodes.size();
  std::vector<bool> is_cause(n, false);
  std::vector<bool> candidate(n, false);
  std::vector<std::vector<std::size_t>> in(n);
  std::vector<bool> has_unhealthy_child(n, false);
  for (std::size_t e = 0; e < graph.edges.size(); ++e) {
    const Edge& edge = graph.edges[e];
    if (edge.to >= n) continue;
    in[edge.to].push_back(e);
    if (edge.level >= unhealthy) has_unhealthy_child[edge.from] = true;
  }
  for (std::size_t i = 1; i < n; ++i) {
    if (levels[i] != level) continue;
    candidate[i] = true;
    is_cause[i] = graph.nodes[i].state != NodeState::walked || !has_unhealthy_child[i];
  }
  // Which candidates reach a cause through edges at `unhealthy` or worse: walk backwards.
  std::vector<bool> reaches(n, false);
  std::deque<std::size_t> queue;
  for (std::size_t i = 0; i < n; ++i) {
    if (is_cause[i]) {
      reaches[i] = true;
      queue.push_back(i);
    }
  }
  while (!queue.empty()) {
    const auto node = queue.front();
    queue.pop_front();
    for (const auto e : in[node]) {
      const Edge& edge = graph.edges[e];
      if (edge.level < unhealthy || reaches[edge.from]) continue;
      reaches[edge.from] = true;
      queue.push_back(edge.from);
    }
  }
  std::vector<Finding> found;
  for (std::size_t i = 1; i < n; ++i) {
    if (!candidate[i] || (!is_cause[i] && reaches[i])) continue;
    Finding finding;
    finding.node = i;
    finding.level = level;
    for (const auto e : in[i]) {
      const Edge& edge = graph.edges[e];
      if (edge.level != level) continue;
      if (finding.seen_from.empty()) finding.details = edge.entry.details;
      bool listed = false;
      for (const auto from : finding.seen_from) listed = listed || from == edge.from;
      if (!listed) finding.seen_from.push_back(edge.from);
    }
    const Node& node = graph.nodes[i];
    if (node.state == NodeState::failed || node.state == NodeState::not_walked) {
      if (!finding.details.empty()) finding.details += "; ";
      finding.details += node.problem;
    }
    found.push_back(std::move(finding));
  }
  return found;
}

}  // namespace

Findings analyse(const Graph& graph) {
  Findings findings;
  const std::size_t n = graph.nodes.size();
  findings.levels.assign(n, std::nullopt);
  for (const auto& edge : graph.edges) {
    if (!findings.worst || edge.level > *findings.worst) findings.worst = edge.level;
    if (edge.to < n) {
      auto& level = findings.levels[edge.to];
      if (!level || edge.level > *level) level = edge.level;
    }
  }
  if (n == 0) return findings;
  findings.levels[0] = findings.worst.value_or(Level::ok);
  findings.root_causes = pick(graph, findings.levels, Level::crit, Level::crit);
  findings.degraded = pick(graph, findings.levels, Level::warn, Level::warn);
  for (std::size_t i = 0; i < n; ++i) {
    if (graph.nodes[i].state == NodeState::failed) findings.unreachable.push_back(i);
  }
  return findings;
}

int exit_code(const Graph& graph, const Findings& findings) {
  if (!graph.root_error.empty() || graph.nodes.empty()) return 3;
  return static_cast<int>(findings.worst.value_or(Level::ok));
}

}  // namespace healthchecks::walk
