// The metrics' series, HELP texts and level label values, shared by the text rendering
// (metrics.cpp) and the prometheus-cpp collector (src/prometheus/), so that both say the same.
// The names are a contract (docs/integrations.md, "Metrics"): never rename one.
#pragma once

#include <string_view>

namespace healthchecks::detail::metric {

struct Series {
  std::string_view name;
  std::string_view help;
};

inline constexpr Series kDependencyStatus{
    "healthchecks_dependency_status",
    "The level each dependency shows: 1 for its current level, 0 for the others (NONE before "
    "its first result)."};
inline constexpr Series kAggregateStatus{
    "healthchecks_aggregate_status",
    "The level the aggregate answer has from the latest results: 1 for the current level, 0 "
    "for the others (NONE while a dependency has no result)."};
inline constexpr Series kDuration{"healthchecks_check_duration_seconds",
                                  "How long the latest execution took."};
inline constexpr Series kAge{"healthchecks_result_age_seconds", "Seconds since the latest result."};
inline constexpr Series kExecutions{
    "healthchecks_check_executions_total",
    "Executions that ended, with a result or a time-out (those for peers' hop chains "
    "excepted)."};
inline constexpr Series kTimeouts{"healthchecks_check_timeouts_total",
                                  "Executions that ran past their time-out."};
inline constexpr Series kFailures{
    "healthchecks_check_failures_total",
    "Executions whose result was CRIT, time-outs and checks that threw included."};
inline constexpr Series kLevelChanges{"healthchecks_level_changes_total",
                                      "Changes of the level shown (after flap dampening)."};

/// The `level` label's values: Level's order, then NONE (no result).
inline constexpr std::string_view kLevels[] = {"OK", "WARN", "CRIT", "NONE"};

}  // namespace healthchecks::detail::metric
