// PrometheusCollector (healthchecks/prometheus.hpp): MetricsReader's snapshot as prometheus-cpp
// metric families, with the series, HELP texts and labels of the text rendering
// (api/metric_names.hpp). Built into healthchecks_prometheus, so that the core library does not
// depend on prometheus-cpp; it calls the public API only.
#include "healthchecks/prometheus.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include <prometheus/client_metric.h>
#include <prometheus/metric_type.h>

#include "api/metric_names.hpp"

namespace healthchecks {
namespace {

namespace metric = detail::metric;
using Labels = std::vector<prometheus::ClientMetric::Label>;

std::string_view level_name(const std::optional<Level>& level) {
  return metric::kLevels[level ? static_cast<int>(*level) : 3];
}

prometheus::MetricFamily family(const metric::Series& series, prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = series.name;
  f.help = series.help;
  f.type = type;
  return f;
}

prometheus::ClientMetric gauge(Labels labels, double value) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  return m;
}

prometheus::ClientMetric counter(const std::string& slug, std::uint64_t value) {
  prometheus::ClientMetric m;
  m.label = {{"slug", slug}};
  m.counter.value = static_cast<double>(value);
  return m;
}

}  // namespace

PrometheusCollector::PrometheusCollector(Registry& registry) : reader_(registry) {}

std::vector<prometheus::MetricFamily> PrometheusCollector::Collect() const {
  using prometheus::MetricType;
  const RegistryMetrics metrics = reader_.read();
  std::vector<prometheus::MetricFamily> families;

  auto status = family(metric::kDependencyStatus, MetricType::Gauge);
  for (const auto& d : metrics.dependencies) {
    const auto current = level_name(d.level);
    for (const auto level : metric::kLevels) {
      status.metric.push_back(gauge(
          {{"slug", d.slug}, {"name", d.name}, {"type", d.type}, {"level", std::string(level)}},
          current == level ? 1.0 : 0.0));
    }
  }
  families.push_back(std::move(status));

  auto aggregate = family(metric::kAggregateStatus, MetricType::Gauge);
  const auto current = level_name(metrics.aggregate);
  for (const auto level : metric::kLevels) {
    aggregate.metric.push_back(
        gauge({{"level", std::string(level)}}, current == level ? 1.0 : 0.0));
  }
  families.push_back(std::move(aggregate));

  auto duration = family(metric::kDuration, MetricType::Gauge);
  auto age = family(metric::kAge, MetricType::Gauge);
  for (const auto& d : metrics.dependencies) {
    if (!d.level) continue;  // no result, no timings
    duration.metric.push_back(gauge({{"slug", d.slug}}, d.duration_seconds));
    age.metric.push_back(gauge({{"slug", d.slug}}, d.age_seconds));
  }
  families.push_back(std::move(duration));
  families.push_back(std::move(age));

  auto executions = family(metric::kExecutions, MetricType::Counter);
  auto timeouts = family(metric::kTimeouts, MetricType::Counter);
  auto failures = family(metric::kFailures, MetricType::Counter);
  auto changes = family(metric::kLevelChanges, MetricType::Counter);
  for (const auto& d : metrics.dependencies) {
    executions.metric.push_back(counter(d.slug, d.executions));
    timeouts.metric.push_back(counter(d.slug, d.timeouts));
    failures.metric.push_back(counter(d.slug, d.failures));
    changes.metric.push_back(counter(d.slug, d.level_changes));
  }
  for (auto* f : {&executions, &timeouts, &failures, &changes}) families.push_back(std::move(*f));
  return families;
}

}  // namespace healthchecks
