// The metrics of a registry (healthchecks/metrics.hpp): a snapshot of its endpoints' counts and
// the Prometheus text made of it, with each endpoint's labels escaped once.
#pragma once

#include <memory>
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
  /// Starts the engine: from then on its endpoints are fixed, so their labels are made once.
  explicit MetricsImpl(std::shared_ptr<Engine> engine);

  RegistryMetrics read() const;
  /// Appends the Prometheus text to `out`.
  void render(std::string& out) const;

 private:
  // Every endpoint's counts, in order, and the aggregate's level from them.
  std::optional<Level> gather(std::vector<EndpointState::Counts>& all) const;

  std::shared_ptr<Engine> engine_;
  // Per endpoint: `{slug="…",name="…",type="…",level="` and `{slug="…"} `.
  std::vector<std::string> status_labels_;
  std::vector<std::string> slug_labels_;
};

/// @throws Error when RouterOptions::metrics is on and a dependency has the slug `metrics`.
void validate_metrics(const RouterOptions& options, const std::string& prefix,
                      const Engine& engine);

}  // namespace healthchecks::detail
