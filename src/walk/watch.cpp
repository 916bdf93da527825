#include "walk/watch.hpp"

#include <ctime>
#include <map>
#include <utility>

#include "walk/answer.hpp"
#include "walk/render.hpp"

namespace healthchecks::walk {
namespace {

struct Seen {
  std::string title;  // "Service 2 > Queue [queue]"
  Level level = Level::ok;
  std::string details;
};

// Each dependency by "<its service's identity>\n<slug>".
std::map<std::string, Seen> by_key(const Graph& graph) {
  std::map<std::string, Seen> seen;
  for (const auto& edge : graph.edges) {
    const Node& from = graph.nodes[edge.from];
    Seen entry;
    entry.title = from.name + " > " + edge.entry.name + " [" + edge.entry.slug + "]";
    entry.level = edge.level;
    entry.details = edge.entry.details;
    if (edge.to < graph.nodes.size()) {
      const Node& to = graph.nodes[edge.to];
      if (to.state == NodeState::failed) {
        if (!entry.details.empty()) entry.details += "; ";
        entry.details += to.problem;
      }
    }
    seen.emplace(from.key + "\n" + edge.entry.slug, std::move(entry));
  }
  return seen;
}

std::string with_details(const Seen& seen) {
  if (seen.level == Level::ok || seen.details.empty()) return "";
  return ": " + cut_text(seen.details, 300);
}

}  // namespace

std::vector<std::string> diff(const Graph& before, const Graph& after, std::string_view stamp) {
  std::vector<std::string> lines;
  const std::string head = std::string(stamp) + "  ";
  const bool was_reached = before.root_error.empty() && !before.nodes.empty();
  const bool is_reached = after.root_error.empty() && !after.nodes.empty();
  if (was_reached && !is_reached) {
    lines.push_back(head + terminal_text(after.url + ": not reached: " + after.root_error));
    return lines;
  }
  if (!was_reached && is_reached) {
    lines.push_back(head + terminal_text(after.url + ": reached again"));
  }
  if (!is_reached) {
    if (before.root_error != after.root_error) {
      lines.push_back(head + terminal_text(after.url + ": not reached: " + after.root_error));
    }
    return lines;
  }
  const auto old_seen = by_key(before);
  const auto new_seen = by_key(after);
  for (const auto& [key, now] : new_seen) {
    const auto it = old_seen.find(key);
    if (it == old_seen.end()) {
      if (!was_reached) continue;  // everything is new after an outage: say it once, above
      lines.push_back(head + terminal_text(now.title + ": new, " +
                                           std::string(to_string(now.level)) + with_details(now)));
    } else if (it->second.level != now.level) {
      lines.push_back(head + terminal_text(now.title + ": " +
                                           std::string(to_string(it->second.level)) + " -> " +
                                           std::string(to_string(now.level)) + with_details(now)));
    }
  }
  for (const auto& [key, then] : old_seen) {
    if (new_seen.count(key) == 0) {
      lines.push_back(head + terminal_text(then.title + ": gone (was " +
                                           std::string(to_string(then.level)) + ")"));
    }
  }
  return lines;
}

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

}  // namespace healthchecks::walk
