// The service graph healthchecks-walk builds: services (what their About says), the
// dependencies they list, and how a service reached by several paths is recognised as one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "healthchecks/status.hpp"

namespace healthchecks::walk {

/// The About fields a walk keeps of a service (health-checks-api.md, "The About object").
/// A missing or mistyped field reads "".
struct ServiceAbout {
  std::string id, name, description, protocol, version, host, project_repo, project_home;
  std::vector<std::string> owners, logs_links, stats_links;
};

/// One entry of an About's `dependencies`, as the service that lists it sees it.
struct DependencyEntry {
  std::string name, slug, type;
  bool traversable = false;
  Level level = Level::crit;
  std::string details;  ///< the status's details (or description when details are empty)
  double duration = 0;  ///< statusDuration, seconds
};

enum class NodeKind {
  service,    ///< speaks the API: the root, or a traversable dependency
  dependency  ///< a dependency that is not traversable (a database, a disk...)
};

enum class NodeState {
  walked,     ///< its About was read and its dependencies listed
  leaf,       ///< a dependency that is not traversable: nothing to walk
  failed,     ///< its traversal failed: `problem` says why
  not_walked  ///< traversable but not walked (--depth, --max-services, the deadline)
};

struct Node {
  NodeKind kind = NodeKind::service;
  NodeState state = NodeState::walked;
  /// Identity (see identity()); for a leaf "dep:" + parent key + "/" + slug.
  std::string key;
  /// The slugs from the root by which it was first reached (empty for the root).
  std::vector<std::string> path;
  /// Display name: the About's name, else its id, else the name its parent gives it.
  std::string name;
  ServiceAbout about;  ///< for walked services
  /// Why the node was not walked or its traversal failed.
  std::string problem;
  /// The traversal answered 401/403: a token would show more (levels are still known).
  bool needs_token = false;
};

struct Edge {
  std::size_t from = 0;
  std::size_t to = 0;
  DependencyEntry entry;
  /// The entry's level, made CRIT when the traversal to it failed (other than for a token).
  Level level = Level::crit;
};

struct Graph {
  std::string url;          ///< the root's status URL, for display
  std::string root_error;   ///< non-empty: the root was not reached or sent no About
  std::vector<Node> nodes;  ///< nodes[0] is the root when it was reached
  std::vector<Edge> edges;  ///< in discovery order
  std::size_t requests = 0;
  double seconds = 0;              ///< how long the walk took
  std::vector<std::string> notes;  ///< "stopped expanding at ..."
};

/// How a service is recognised when reached again (a shared dependency, a cycle): its About
/// `id` plus `host` where it names one ("id:<length of id>:<id>@<host>", "id:4:shop"); a
/// service without an id
/// (empty or "N/A") by the path it was reached by ("path:a/b").
std::string identity(const ServiceAbout& about, const std::vector<std::string>& path);

/// "path:" and the slugs joined with '/'.
std::string path_key(const std::vector<std::string>& path);

/// True for "" and "N/A", the contract's missing value.
bool is_missing(const std::string& value);

}  // namespace healthchecks::walk
