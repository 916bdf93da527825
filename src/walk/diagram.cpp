#include "walk/diagram.hpp"

#include <vector>

#include "walk/answer.hpp"
#include "walk/render_parts.hpp"

namespace healthchecks::walk {
namespace {

constexpr std::size_t kLabelText = 80;

std::string dot_text(std::string_view text) {
  std::string out;
  const auto space = [&out](unsigned) { out += ' '; };
  each_char(
      text,
      [&](char c) {
        if (c == '"' || c == '\\') {
          out += '\\';
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += ' ';
        } else {
          out += c;
        }
      },
      [&](std::string_view sequence) { out.append(sequence); }, space);
  return out;
}

std::string mermaid_text(std::string_view text) {
  std::string out;
  each_char(
      text,
      [&](char c) {
        switch (c) {
          case '"':
            out += "#quot;";
            break;
          case '#':
            out += "#35;";
            break;
          case '<':
            out += "#lt;";
            break;
          case '>':
            out += "#gt;";
            break;
          case '&':
            out += "#amp;";
            break;
          case '|':
            out += "#124;";
            break;
          case '`':
            out += "#96;";
            break;
          case '%':
            out += "#37;";
            break;
          case '\\':
            out += "#92;";
            break;
          default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
              out += ' ';
            } else {
              out += c;
            }
        }
      },
      [&](std::string_view sequence) { out.append(sequence); }, [&](unsigned) { out += ' '; });
  return out;
}

const char* kFill[] = {"#c8e6c9", "#ffe0b2", "#ffcdd2", "#e0e0e0"};
const char* kStroke[] = {"#2e7d32", "#ef6c00", "#c62828", "#757575"};

int colour_index(const std::optional<Level>& level) {
  return level ? static_cast<int>(*level) : 3;
}

// The label lines of a node, unescaped.
std::vector<std::string> node_label(const Graph& graph, std::size_t i) {
  const Node& node = graph.nodes[i];
  std::vector<std::string> lines;
  if (node.kind == NodeKind::dependency) {
    lines.push_back(cut_text(node.name, kLabelText) + " [" + cut_text(slug_of(graph, i), 60) + "]");
    return lines;
  }
  lines.push_back(cut_text(node.name, kLabelText));
  if (!is_missing(node.about.id) && node.about.id != node.name) {
    lines.push_back(cut_text(node.about.id, kLabelText));
  }
  if (node.state == NodeState::failed || node.state == NodeState::not_walked) {
    lines.push_back(cut_text(node.problem, kLabelText));
  }
  return lines;
}

std::string edge_label(const Edge& edge) {
  std::string label = cut_text(edge.entry.slug, 60) + ": " + std::string(to_string(edge.level));
  return label;
}

}  // namespace

std::string render_dot(const Graph& graph, const Findings& findings) {
  std::string out =
      "digraph healthchecks {\n"
      "  rankdir=LR;\n"
      "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n"
      "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  if (graph.nodes.empty()) {
    out += "  n0 [label=\"" + dot_text(cut_text(graph.url, kLabelText)) + "\\n" +
           dot_text(cut_text(graph.root_error, kLabelText)) + "\", fillcolor=\"" + kFill[3] +
           "\", color=\"" + kStroke[3] + "\"];\n}\n";
    return out;
  }
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const int colour = colour_index(findings.levels[i]);
    std::string label;
    for (const auto& line : node_label(graph, i)) {
      if (!label.empty()) label += "\\n";
      label += dot_text(line);
    }
    out += "  n" + std::to_string(i) + " [label=\"" + label + "\", fillcolor=\"" + kFill[colour] +
           "\", color=\"" + kStroke[colour] + "\"";
    if (graph.nodes[i].kind == NodeKind::dependency) out += ", shape=ellipse";
    out += "];\n";
  }
  for (const auto& edge : graph.edges) {
    const int colour = colour_index(edge.level);
    std::string label = dot_text(edge_label(edge));
    std::string tooltip;
    if (edge.level != Level::ok && !edge.entry.details.empty()) {
      label += "\\n" + dot_text(cut_text(edge.entry.details, 60));
      tooltip = ", tooltip=\"" + dot_text(cut_text(edge.entry.details, 1000)) + "\"";
    }
    out += "  n" + std::to_string(edge.from) + " -> n" + std::to_string(edge.to) + " [label=\"" +
           label + "\", color=\"" + kStroke[colour] + "\", fontcolor=\"" + kStroke[colour] + "\"" +
           tooltip + "];\n";
  }
  out += "}\n";
  return out;
}

std::string render_mermaid(const Graph& graph, const Findings& findings) {
  std::string out = "flowchart LR\n";
  if (graph.nodes.empty()) {
    out += "  n0[\"" + mermaid_text(cut_text(graph.url, kLabelText)) + "<br/>" +
           mermaid_text(cut_text(graph.root_error, kLabelText)) + "\"]\n  class n0 unknown\n";
  }
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    std::string label;
    for (const auto& line : node_label(graph, i)) {
      if (!label.empty()) label += "<br/>";
      label += mermaid_text(line);
    }
    const bool leaf = graph.nodes[i].kind == NodeKind::dependency;
    out += "  n" + std::to_string(i) + (leaf ? "([\"" : "[\"") + label + (leaf ? "\"])" : "\"]") +
           "\n";
  }
  for (const auto& edge : graph.edges) {
    out += "  n" + std::to_string(edge.from) + " -->|\"" + mermaid_text(edge_label(edge)) +
           "\"| n" + std::to_string(edge.to) + "\n";
  }
  static const char* const kNames[] = {"ok", "warn", "crit", "unknown"};
  for (int k = 0; k < 4; ++k) {
    out += "  classDef " + std::string(kNames[k]) + " fill:" + kFill[k] + ",stroke:" + kStroke[k] +
           ",color:#000\n";
  }
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    out += "  class n" + std::to_string(i) + " " + level_name(findings.levels[i]) + "\n";
  }
  // Edges coloured by level too: linkStyle takes their order of appearance.
  for (std::size_t e = 0; e < graph.edges.size(); ++e) {
    out += "  linkStyle " + std::to_string(e) +
           " stroke:" + kStroke[colour_index(graph.edges[e].level)] + "\n";
  }
  return out;
}

}  // namespace healthchecks::walk
