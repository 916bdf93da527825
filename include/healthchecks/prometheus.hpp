// The registry's metrics as a prometheus-cpp Collectable, for services that already run a
// prometheus-cpp Exposer (or Registry). Only with prometheus-cpp (Debian prometheus-cpp-dev):
// link healthchecks::prometheus. The series are those of healthchecks/metrics.hpp.
#pragma once

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "healthchecks/metrics.hpp"
#include "healthchecks/registry.hpp"

namespace healthchecks {

/// Collects the same series as prometheus_text(), from the latest results (never running a
/// check):
///
///     auto collector = std::make_shared<healthchecks::PrometheusCollector>(registry);
///     exposer.RegisterCollectable(collector);
///
/// Like MetricsReader it starts the registry and keeps its state alive. Thread-safe.
class PrometheusCollector : public prometheus::Collectable {
 public:
  explicit PrometheusCollector(Registry& registry);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  MetricsReader reader_;
};

}  // namespace healthchecks
