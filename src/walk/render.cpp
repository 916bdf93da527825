#include "walk/render.hpp"

#include <cstdio>
#include <vector>

#include "util/json_writer.hpp"
#include "walk/answer.hpp"
#include "walk/render_parts.hpp"

namespace healthchecks::walk {
namespace {

constexpr std::size_t kTreeDetails = 300;

const char* colour_of(Level level) {
  switch (level) {
    case Level::ok:
      return "\x1b[32m";
    case Level::warn:
      return "\x1b[33m";
    case Level::crit:
      return "\x1b[1;31m";
  }
  return "";
}

std::string level_word(Level level, bool colour, bool pad) {
  std::string word(to_string(level));
  if (pad) word.resize(4, ' ');
  if (!colour) return word;
  return colour_of(level) + word + "\x1b[0m";
}

std::string bold(const std::string& text, bool colour) {
  return colour ? "\x1b[1m" + text + "\x1b[0m" : text;
}

// "Queue [queue]"; the root by its name alone.
std::string node_title(const Graph& graph, std::size_t node) {
  const auto slug = slug_of(graph, node);
  return slug.empty() ? graph.nodes[node].name : graph.nodes[node].name + " [" + slug + "]";
}

std::string seen_from_text(const Graph& graph, const Finding& finding) {
  std::string text;
  for (const auto from : finding.seen_from) {
    if (!text.empty()) text += ", ";
    text += graph.nodes[from].name;
  }
  return text;
}

const char* state_name(NodeState state) {
  switch (state) {
    case NodeState::walked:
      return "walked";
    case NodeState::leaf:
      return "leaf";
    case NodeState::failed:
      return "unreachable";
    case NodeState::not_walked:
      return "not walked";
  }
  return "";
}

std::vector<std::vector<std::size_t>> out_edges(const Graph& graph) {
  std::vector<std::vector<std::size_t>> out(graph.nodes.size());
  for (std::size_t e = 0; e < graph.edges.size(); ++e) {
    if (graph.edges[e].from < out.size()) out[graph.edges[e].from].push_back(e);
  }
  return out;
}

std::string edge_line(const Graph& graph, const Edge& edge, bool colour) {
  const DependencyEntry& entry = edge.entry;
  std::string line = level_word(edge.level, colour, true) + "  " + terminal_text(entry.name) +
                     " [" + terminal_text(entry.slug) + "] " + format_seconds(entry.duration);
  if (edge.to < graph.nodes.size()) {
    const Node& target = graph.nodes[edge.to];
    if (target.kind == NodeKind::service && target.state == NodeState::walked &&
        target.name != entry.name) {
      line += " (" + terminal_text(target.name) + ")";
    }
  }
  if (edge.level != Level::ok && !entry.details.empty()) {
    line += ": " + terminal_text(cut_text(entry.details, kTreeDetails));
  }
  if (edge.to < graph.nodes.size()) {
    const Node& target = graph.nodes[edge.to];
    if (target.state == NodeState::failed) {
      line += target.needs_token ? " -- " + target.problem
                                 : " -- could not walk it: " +
                                       terminal_text(cut_text(target.problem, kTreeDetails));
    } else if (target.state == NodeState::not_walked) {
      line += " -- " + terminal_text(target.problem);
    }
  }
  return line;
}

void append_string_list(std::string& out, const std::vector<std::string>& list) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != 0) out += ',';
    detail::append_json_string(out, list[i]);
  }
  out += ']';
}

void append_field(std::string& out, const char* key, const std::string& value, bool comma = true) {
  if (comma) out += ',';
  detail::append_json_string(out, key);
  out += ':';
  detail::append_json_string(out, value);
}

void append_findings(std::string& out, const char* key, const Graph& graph,
                     const std::vector<Finding>& list) {
  out += ',';
  detail::append_json_string(out, key);
  out += ":[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Finding& finding = list[i];
    if (i != 0) out += ',';
    out += "{\"node\":\"n" + std::to_string(finding.node) + "\"";
    append_field(out, "name", graph.nodes[finding.node].name);
    append_field(out, "slug", slug_of(graph, finding.node));
    append_field(out, "level", std::string(to_string(finding.level)));
    append_field(out, "details", finding.details);
    out += ",\"seenFrom\":[";
    for (std::size_t k = 0; k < finding.seen_from.size(); ++k) {
      if (k != 0) out += ',';
      out += "\"n" + std::to_string(finding.seen_from[k]) + "\"";
    }
    out += "]}";
  }
  out += ']';
}

}  // namespace

std::string slug_of(const Graph& graph, std::size_t node) {
  const auto& path = graph.nodes[node].path;
  return path.empty() ? std::string() : path.back();
}

std::string level_name(const std::optional<Level>& level) {
  if (!level) return "unknown";
  switch (*level) {
    case Level::ok:
      return "ok";
    case Level::warn:
      return "warn";
    case Level::crit:
      return "crit";
  }
  return "unknown";
}

std::string terminal_text(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  each_char(
      text,
      [&](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n') {
          out += "\\n";
        } else if (c == '\r') {
          out += "\\r";
        } else if (c == '\t') {
          out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;
        }
      },
      [&](std::string_view sequence) { out.append(sequence); },
      [&](unsigned code) {
        out += "\\u{";
        out += kHex[(code >> 4) & 0xf];
        out += kHex[code & 0xf];
        out += '}';
      });
  return out;
}

std::string format_seconds(double seconds) {
  char buffer[32];
  const double ms = seconds * 1000;
  if (ms < 10) {
    std::snprintf(buffer, sizeof buffer, "%.2f ms", ms);
  } else if (ms < 1000) {
    std::snprintf(buffer, sizeof buffer, "%.1f ms", ms);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f s", seconds);
  }
  return buffer;
}

std::string render_tree(const Graph& graph, const Findings& findings, bool colour) {
  std::string out;
  if (graph.nodes.empty()) return render_summary(graph, findings, colour);
  const Node& root = graph.nodes[0];
  out += bold(terminal_text(root.name), colour);
  if (!is_missing(root.about.id) && root.about.id != root.name) {
    out += " (" + terminal_text(root.about.id) + ")";
  }
  out += " at " + terminal_text(graph.url) + ": " +
         level_word(findings.levels[0].value_or(Level::ok), colour, false) + "\n";
  // Iterative, so that no graph can make it recurse: a service is shown under the first line
  // that reaches it and referred to afterwards.
  const auto out_of = out_edges(graph);
  std::vector<bool> shown(graph.nodes.size(), false);
  shown[0] = true;
  struct Frame {
    std::size_t node;
    std::size_t next;
    std::string prefix;
  };
  std::vector<Frame> stack{{0, 0, ""}};
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next == out_of[frame.node].size()) {
      stack.pop_back();
      continue;
    }
    const Edge& edge = graph.edges[out_of[frame.node][frame.next++]];
    const bool last = frame.next == out_of[frame.node].size();
    const std::string prefix = frame.prefix;
    out += prefix + (last ? "\u2514\u2500\u2500 " : "\u251c\u2500\u2500 ") +
           edge_line(graph, edge, colour);
    const std::size_t to = edge.to;
    if (to < graph.nodes.size() && graph.nodes[to].state == NodeState::walked &&
        !out_of[to].empty()) {
      if (shown[to]) {
        out += " (shown above)";
      } else {
        shown[to] = true;
        stack.push_back({to, 0, prefix + (last ? "    " : "\u2502   ")});
      }
    }
    out += '\n';
  }
  out += '\n';
  return out + render_summary(graph, findings, colour);
}

std::string render_summary(const Graph& graph, const Findings& findings, bool colour) {
  std::string out;
  if (!graph.root_error.empty() || graph.nodes.empty()) {
    out += bold("not reached: ", colour) + terminal_text(graph.url) + ": " +
           terminal_text(graph.root_error) + "\n";
    return out;
  }
  const auto list = [&](const char* heading, const std::vector<Finding>& found) {
    if (found.empty()) return;
    out += bold(heading, colour) + "\n";
    for (const auto& finding : found) {
      out += "  " + level_word(finding.level, colour, true) + "  " +
             terminal_text(node_title(graph, finding.node));
      if (!finding.details.empty()) {
        out += ": " + terminal_text(cut_text(finding.details, kTreeDetails));
      }
      out += "\n        seen from: " + terminal_text(seen_from_text(graph, finding)) + "\n";
    }
  };
  list("likely root causes:", findings.root_causes);
  list("degraded:", findings.degraded);
  if (!findings.unreachable.empty()) {
    out += bold("could not be walked:", colour) + "\n";
    for (const auto node : findings.unreachable) {
      out += "  " + terminal_text(node_title(graph, node)) + ": " +
             terminal_text(cut_text(graph.nodes[node].problem, kTreeDetails)) + "\n";
    }
  }
  for (const auto& note : graph.notes) out += "note: " + terminal_text(note) + "\n";
  std::size_t services = 0;
  for (const auto& node : graph.nodes) services += node.state == NodeState::walked;
  const auto worst = findings.worst.value_or(Level::ok);
  out += "walked " + std::to_string(services) + (services == 1 ? " service, " : " services, ") +
         std::to_string(graph.edges.size()) +
         (graph.edges.size() == 1 ? " dependency" : " dependencies") + " with " +
         std::to_string(graph.requests) + (graph.requests == 1 ? " request" : " requests") +
         " in " + format_seconds(graph.seconds) + ": " + level_word(worst, colour, false) + "\n";
  return out;
}

std::string render_json(const Graph& graph, const Findings& findings) {
  std::string out = "{";
  append_field(out, "url", graph.url, false);
  out += ",\"level\":";
  if (!graph.root_error.empty() || graph.nodes.empty()) {
    out += "null";
  } else {
    detail::append_json_string(out, to_string(findings.worst.value_or(Level::ok)));
  }
  out += ",\"exitCode\":" + std::to_string(exit_code(graph, findings));
  if (!graph.root_error.empty()) append_field(out, "error", graph.root_error);
  out += ",\"requests\":" + std::to_string(graph.requests);
  std::size_t traversable = 0;
  for (const auto& edge : graph.edges) traversable += edge.entry.traversable;
  out += ",\"traversableEdges\":" + std::to_string(traversable);
  out += ",\"seconds\":";
  detail::append_json_number(out, graph.seconds);
  out += ",\"nodes\":[";
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (i != 0) out += ',';
    out += "{\"id\":\"n" + std::to_string(i) + "\"";
    append_field(out, "kind", node.kind == NodeKind::service ? "service" : "dependency");
    append_field(out, "state", state_name(node.state));
    append_field(out, "name", node.name);
    out += ",\"path\":";
    append_string_list(out, node.path);
    out += ",\"level\":";
    if (findings.levels[i]) {
      detail::append_json_string(out, to_string(*findings.levels[i]));
    } else {
      out += "null";
    }
    if (!node.problem.empty()) append_field(out, "problem", node.problem);
    if (node.needs_token) out += ",\"needsToken\":true";
    if (node.kind == NodeKind::service &&
        (node.state == NodeState::walked || !is_missing(node.about.id))) {
      const ServiceAbout& about = node.about;
      out += ",\"about\":{";
      append_field(out, "id", about.id, false);
      append_field(out, "name", about.name);
      append_field(out, "description", about.description);
      append_field(out, "protocol", about.protocol);
      out += ",\"owners\":";
      append_string_list(out, about.owners);
      append_field(out, "version", about.version);
      append_field(out, "host", about.host);
      append_field(out, "projectRepo", about.project_repo);
      append_field(out, "projectHome", about.project_home);
      out += ",\"logsLinks\":";
      append_string_list(out, about.logs_links);
      out += ",\"statsLinks\":";
      append_string_list(out, about.stats_links);
      out += '}';
    }
    out += '}';
  }
  out += "],\"edges\":[";
  for (std::size_t e = 0; e < graph.edges.size(); ++e) {
    const Edge& edge = graph.edges[e];
    if (e != 0) out += ',';
    out += "{\"from\":\"n" + std::to_string(edge.from) + "\",\"to\":\"n" + std::to_string(edge.to) +
           "\"";
    append_field(out, "slug", edge.entry.slug);
    append_field(out, "name", edge.entry.name);
    append_field(out, "type", edge.entry.type);
    out += edge.entry.traversable ? ",\"traversable\":true" : ",\"traversable\":false";
    append_field(out, "level", std::string(to_string(edge.level)));
    append_field(out, "reportedLevel", std::string(to_string(edge.entry.level)));
    out += ",\"duration\":";
    detail::append_json_number(out, edge.entry.duration);
    append_field(out, "details", edge.entry.details);
    out += '}';
  }
  out += ']';
  append_findings(out, "rootCauses", graph, findings.root_causes);
  append_findings(out, "degraded", graph, findings.degraded);
  out += ",\"unreachable\":[";
  for (std::size_t k = 0; k < findings.unreachable.size(); ++k) {
    const auto node = findings.unreachable[k];
    if (k != 0) out += ',';
    out += "{\"node\":\"n" + std::to_string(node) + "\"";
    append_field(out, "name", graph.nodes[node].name);
    out += ",\"path\":";
    append_string_list(out, graph.nodes[node].path);
    append_field(out, "reason", graph.nodes[node].problem);
    out += '}';
  }
  out += "],\"notes\":";
  append_string_list(out, graph.notes);
  out += "}\n";
  return out;
}

}  // namespace healthchecks::walk
