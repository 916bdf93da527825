// Prometheus metrics of a registry's dependencies: their levels, the aggregate's level and what
// their checks did, read from the latest results. Reading never runs a check, so a scrape costs
// microseconds. Served at <base_path>/metrics with RouterOptions::metrics; this header is for
// services that expose metrics elsewhere (healthchecks/prometheus.hpp adds a prometheus-cpp
// Collectable). The series and their meaning: docs/integrations.md, "Metrics".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "healthchecks/export.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/status.hpp"

namespace healthchecks {

namespace detail {
class MetricsImpl;
}

/// The Content-Type of prometheus_text()'s answer (the Prometheus text format 0.0.4).
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// One dependency, as its latest result and its counters say. Only the executions whose
/// results are remembered count (probes', monitors', background refreshes'); those run for a
/// peer's hop chain are that caller's and are not counted.
struct DependencyMetrics {
  std::string slug;
  std::string name;
  std::string type;  ///< StatusEndpoint::type.name()
  /// The level the dependency shows (flap dampening applied, at least WARN once its result is
  /// older than max_stale); empty before its first result (Prometheus: level="NONE").
  std::optional<Level> level;
  /// Seconds since the latest result; 0 before the first.
  double age_seconds = 0;
  /// Seconds the latest execution took; 0 before the first.
  double duration_seconds = 0;
  std::uint64_t executions = 0;  ///< executions that ended (with a result or a time-out)
  std::uint64_t timeouts = 0;    ///< executions that ran past their time-out
  /// Executions whose own result was CRIT, time-outs and checks that threw included (before
  /// flap dampening, which may still show OK).
  std::uint64_t failures = 0;
  /// Changes of the level shown, as told to listeners (the first non-OK result is one).
  std::uint64_t level_changes = 0;
};

/// A registry's metrics at one moment.
struct RegistryMetrics {
  /// The level `aggregate` would answer from the latest results (critical flags applied);
  /// empty while a dependency has no result yet (Prometheus: level="NONE").
  std::optional<Level> aggregate;
  /// In registration order.
  std::vector<DependencyMetrics> dependencies;
};

/// Reads a registry's metrics, as often as wanted, without running any check.
///
///     healthchecks::MetricsReader metrics(registry);
///     my_server.get("/metrics", [metrics] { return metrics.prometheus_text(); });
///
/// Like Router, it starts the registry (freezing its endpoints) and keeps its state alive;
/// copies share one reader. Thread-safe.
class HEALTHCHECKS_EXPORT MetricsReader {
 public:
  explicit MetricsReader(Registry& registry);
  ~MetricsReader();
  MetricsReader(const MetricsReader&) = default;
  MetricsReader& operator=(const MetricsReader&) = default;

  RegistryMetrics read() const;
  /// The metrics in the Prometheus text format (kPrometheusContentType), with HELP and TYPE
  /// lines; the same text as the route RouterOptions::metrics serves.
  std::string prometheus_text() const;

 private:
  std::shared_ptr<const detail::MetricsImpl> impl_;
};

/// Shorthand for MetricsReader(registry).prometheus_text() (a reader kept around renders
/// faster: it prepares the labels once).
HEALTHCHECKS_EXPORT std::string prometheus_text(Registry& registry);

}  // namespace healthchecks
