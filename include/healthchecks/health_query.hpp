// A question to the registry without HTTP: "what would aggregate (or /status/{slug}) say now?",
// answered asynchronously, for front ends that speak another protocol (the gRPC health service)
// and for code inside the service that wants the verdict itself.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "healthchecks/status.hpp"

namespace healthchecks {

/// Which dependencies Registry::check_health judges, and for how long it may wait.
struct HealthQuery {
  /// One dependency by its slug; empty: every dependency that `type` selects.
  std::string slug;
  /// "" (every one), "internal" or "external", as aggregate's ?type= (ignored with a slug).
  std::string type;
  /// Checks that have not answered by then read CRIT "timed out" (each check's own time-out
  /// applies too). max(): only the checks' own time-outs.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

/// What Registry::check_health found.
struct HealthAnswer {
  enum class Outcome {
    answered,      ///< `status` holds the verdict
    unknown_slug,  ///< no dependency has the query's slug
    bad_type,      ///< the type is not "", "internal" or "external"
    busy           ///< too many executions for callers' hop chains; try again
  };
  Outcome outcome = Outcome::answered;
  /// The verdict, as aggregate's body shows it (the first CRIT, else the first WARN, a
  /// non-critical CRIT reading WARN; "Draining" while the registry is not ready), or the
  /// dependency's own status for a slug.
  Status status;
  /// The level of each dependency judged, by slug, in registration order: what a watcher needs
  /// to follow the verdict from level changes (Registry::subscribe) without asking again.
  std::vector<std::pair<std::string, Level>> levels;
};

}  // namespace healthchecks
