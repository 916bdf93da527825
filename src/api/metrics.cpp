// Metrics (healthchecks/metrics.hpp): the endpoints' counts read without locks, and their
// Prometheus text. The series names are a contract (docs/integrations.md, "Metrics"): never rename
// one.
#include "healthchecks/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>

#include "api/metric_names.hpp"
#include "api/metrics.hpp"
#include "api/verdict.hpp"
#include "core/engine.hpp"
#include "healthchecks/error.hpp"

namespace healthchecks {
namespace detail {
namespace {

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// A label value in the text format: backslash, double quote and line feed escaped.
void append_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_count(std::string& out, std::uint64_t value) {
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

// Seconds as the exact decimal of the nanoseconds (std::to_chars of a double cost 600
// instructions a number, 40 % of a scrape, measured with callgrind).
void append_seconds(std::string& out, Clock::duration duration) {
  const long long ns = std::max<long long>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count());
  char buffer[40];
  char* end = std::to_chars(buffer, buffer + 24, ns / 1'000'000'000).ptr;
  long long fraction = ns % 1'000'000'000;
  if (fraction != 0) {
    char digits[9];
    for (int i = 8; i >= 0; --i) {
      digits[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    int kept = 9;
    while (digits[kept - 1] == '0') --kept;
    *end++ = '.';
    for (int i = 0; i < kept; ++i) *end++ = digits[i];
  }
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

void append_family(std::string& out, const metric::Series& series, std::string_view type) {
  out += "# HELP ";
  out += series.name;
  out += ' ';
  out += series.help;
  out += "\n# TYPE ";
  out += series.name;
  out += ' ';
  out += type;
  out += '\n';
}

using metric::kLevels;

// The series labelled {slug} alone, in the order of MetricsImpl::prefixes_.
constexpr const metric::Series* kSeriesOf[MetricsImpl::kSeries] = {
    &metric::kDuration, &metric::kAge,      &metric::kExecutions,
    &metric::kTimeouts, &metric::kFailures, &metric::kLevelChanges};

std::string_view level_name(const std::optional<Level>& level) {
  return level ? kLevels[static_cast<int>(*level)] : kLevels[3];
}

}  // namespace

MetricsImpl::MetricsImpl(std::shared_ptr<Engine> engine) : engine_(std::move(engine)) {
  engine_->start();
  const auto& endpoints = engine_->endpoints();
  status_labels_.resize(endpoints.size());
  for (auto& prefixes : prefixes_) prefixes.reserve(endpoints.size());
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const auto& endpoint = endpoints[i]->endpoint();
    std::string slug;
    append_label_value(slug, endpoint.slug);
    for (std::size_t series = 0; series < kSeries; ++series) {
      prefixes_[series].push_back(std::string(kSeriesOf[series]->name) + "{slug=\"" + slug +
                                  "\"} ");
    }
    std::string labels = std::string(metric::kDependencyStatus.name) + "{slug=\"" + slug;
    labels += "\",name=\"";
    append_label_value(labels, endpoint.name);
    labels += "\",type=\"";
    append_label_value(labels, endpoint.type.name());
    labels += "\",level=\"";
    status_labels_[i] = std::move(labels);
  }
}

std::optional<Level> MetricsImpl::gather(std::vector<EndpointState::Counts>& all) const {
  const auto now = Clock::now();
  const auto& endpoints = engine_->endpoints();
  all.reserve(endpoints.size());
  Verdict verdict;
  bool all_checked = true;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    all.push_back(endpoints[i]->counts(now));
    if (all.back().has_result) {
      verdict.add(i, all.back().level, endpoints[i]->endpoint().critical);
    } else {
      all_checked = false;
    }
  }
  return all_checked ? std::optional<Level>(verdict.level()) : std::nullopt;
}

RegistryMetrics MetricsImpl::read() const {
  std::vector<EndpointState::Counts> all;
  RegistryMetrics metrics;
  metrics.aggregate = gather(all);
  const auto& endpoints = engine_->endpoints();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& endpoint = endpoints[i]->endpoint();
    const auto& counts = all[i];
    DependencyMetrics dependency;
    dependency.slug = endpoint.slug;
    dependency.name = endpoint.name;
    dependency.type = endpoint.type.name();
    if (counts.has_result) {
      dependency.level = counts.level;
      dependency.age_seconds = seconds(counts.age);
      dependency.duration_seconds = seconds(counts.duration);
    }
    dependency.executions = counts.executions;
    dependency.timeouts = counts.timeouts;
    dependency.failures = counts.failures;
    dependency.level_changes = counts.level_changes;
    metrics.dependencies.push_back(std::move(dependency));
  }
  return metrics;
}

namespace {
// The state of one endpoint as far as every series but the age goes: 0-2 its level, 3 none.
int state_of(const EndpointState::Counts& counts) {
  return counts.has_result ? static_cast<int>(counts.level) : 3;
}
}  // namespace

void MetricsImpl::render(std::string& out) const {
  std::vector<EndpointState::Counts> all;
  const std::optional<Level> aggregate = gather(all);
  {
    // Everything but the ages changes only with a result (counted in `executions`, read with
    // the level and duration it came with) or a level (staleness): while neither did, the
    // last rendering of it stands.
    std::lock_guard<std::mutex> lock(cache_mutex_);
    bool same = cache_.valid;
    for (std::size_t i = 0; same && i < all.size(); ++i) {
      same = cache_.executions[i] == all[i].executions && cache_.states[i] == state_of(all[i]);
    }
    if (!same) {
      cache_.text.clear();
      render_results(cache_.text, all, aggregate);
      cache_.executions.resize(all.size());
      cache_.states.resize(all.size());
      for (std::size_t i = 0; i < all.size(); ++i) {
        cache_.executions[i] = all[i].executions;
        cache_.states[i] = static_cast<signed char>(state_of(all[i]));
      }
      cache_.valid = true;
    }
    out += cache_.text;
  }
  // The ages, last: they change with every scrape.
  append_family(out, *kSeriesOf[1], "gauge");
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!all[i].has_result) continue;
    out += prefixes_[1][i];
    append_seconds(out, all[i].age);
    out += '\n';
  }
}

void MetricsImpl::render_results(std::string& out, const std::vector<EndpointState::Counts>& all,
                                 const std::optional<Level>& aggregate) const {
  append_family(out, metric::kDependencyStatus, "gauge");
  for (std::size_t i = 0; i < all.size(); ++i) {
    const int current = state_of(all[i]);
    for (int level = 0; level < 4; ++level) {
      out += status_labels_[i];
      out += kLevels[level];
      out += level == current ? "\"} 1\n" : "\"} 0\n";
    }
  }
  append_family(out, metric::kAggregateStatus, "gauge");
  for (int level = 0; level < 4; ++level) {
    out += metric::kAggregateStatus.name;
    out += "{level=\"";
    out += kLevels[level];
    out += kLevels[level] == level_name(aggregate) ? "\"} 1\n" : "\"} 0\n";
  }
  // Durations exist from the first result on; before it the series are absent.
  append_family(out, *kSeriesOf[0], "gauge");
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!all[i].has_result) continue;
    out += prefixes_[0][i];
    append_seconds(out, all[i].duration);
    out += '\n';
  }
  const auto counter = [&](std::size_t series, auto value) {
    append_family(out, *kSeriesOf[series], "counter");
    for (std::size_t i = 0; i < all.size(); ++i) {
      out += prefixes_[series][i];
      append_count(out, value(all[i]));
      out += '\n';
    }
  };
  counter(2, [](const EndpointState::Counts& c) { return c.executions; });
  counter(3, [](const EndpointState::Counts& c) { return c.timeouts; });
  counter(4, [](const EndpointState::Counts& c) { return c.failures; });
  counter(5, [](const EndpointState::Counts& c) { return c.level_changes; });
}

void validate_metrics(const RouterOptions& options, const std::string& prefix,
                      const Engine& engine) {
  if (!options.metrics) return;
  if (const auto* state = engine.find("metrics")) {
    throw Error("options", "metrics: the metrics route " + prefix +
                               "metrics would hide the dependency \"" + state->endpoint().name +
                               "\" (slug \"metrics\"); rename that slug or leave the metrics "
                               "off");
  }
}

}  // namespace detail

MetricsReader::MetricsReader(Registry& registry)
    : impl_(std::make_shared<detail::MetricsImpl>(registry.engine_)) {}

MetricsReader::~MetricsReader() = default;

RegistryMetrics MetricsReader::read() const {
  return impl_->read();
}

std::string MetricsReader::prometheus_text() const {
  std::string text;
  impl_->render(text);
  return text;
}

std::string prometheus_text(Registry& registry) {
  return MetricsReader(registry).prometheus_text();
}

}  // namespace healthchecks
