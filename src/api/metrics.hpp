// The metrics of a registry (healthchecks/metrics.hpp): a snapshot of its endpoints' counts and
// the Prometheus text made of it, with each endpoint's labels escaped once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint_state.hpp"
#include "healthchecks/metrics.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks::detail {

class Engine;

class MetricsImpl {
 public:
  /// The series labelled {slug} alone: duration, age and the four counters.
  static constexpr std::size_t kSeries = 6;

  /// Starts the engine: from then on its endpoints are fixed, so their labels are made once.
  explicit MetricsImpl(std::shared_ptr<Engine> engine);

  RegistryMetrics read() const;
  /// Appends the Prometheus text to `out`.
  void render(std::string& out) const;

 private:
  // Every endpoint's counts, in order, and the aggregate's level from them.
  std::optional<Level> gather(std::vector<EndpointState::Counts>& all) const;
  // Every series but the ages.
  void render_results(std::string& out, const std::vector<EndpointState::Counts>& all,
                      const std::optional<Level>& aggregate) const;

  std::shared_ptr<Engine> engine_;
  // Made once, per endpoint: `healthchecks_dependency_status{slug="…",name="…",type="…",level="`,
  // and per series labelled {slug} alone, `<series>{slug="…"} `.
  std::vector<std::string> status_labels_;
  std::array<std::vector<std::string>, kSeries> prefixes_;
  // The last render_results() and what it was made of, per endpoint.
  struct Cache {
    bool valid = false;
    std::vector<std::uint64_t> executions;
    std::vector<signed char> states;
    std::string text;
  };
  mutable std::mutex cache_mutex_;
  mutable Cache cache_;
};

/// @throws Error when RouterOptions::metrics is on and a dependency has the slug `metrics`.
void validate_metrics(const RouterOptions& options, const std::string& prefix,
                      const Engine& engine);

}  // namespace healthchecks::detail
