// --watch: what changed between two walks of the same graph, one line per change, for watching
// a recovery.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "walk/graph.hpp"

namespace healthchecks::walk {

/// One line per change from `before` to `after`, each opening with `stamp`: a dependency whose
/// level changed ("Service 2 > Queue [queue]: OK -> WARN: details"), one that appeared or went,
/// the root lost or reached again. Lines are terminal-safe, without colour. Dependencies are
/// matched by their service's identity and their slug.
std::vector<std::string> diff(const Graph& before, const Graph& after, std::string_view stamp);

/// "2024-05-01T12:00:00Z": the current time, UTC.
std::string utc_stamp();

}  // namespace healthchecks::walk
