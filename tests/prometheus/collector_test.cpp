// PrometheusCollector (healthchecks/prometheus.hpp): prometheus-cpp's own TextSerializer writes
// the same series as prometheus_text(), clean for promtool, and a real prometheus-cpp Exposer
// on loopback serves them.
#include "healthchecks/prometheus.hpp"

#include <memory>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include "healthchecks/router.hpp"
#include "support/http_client.hpp"
#include "support/prometheus_tools.hpp"
#include "support/router_get.hpp"
#include "support/servers.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;

// The sample lines of a text rendering, without the HELP and TYPE lines and without the
// timings, whose numbers the two writers may spell differently.
std::string samples(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string kept;
  while (std::getline(in, line)) {
    if (line.rfind('#', 0) == 0 || line.find("_seconds{") != std::string::npos) continue;
    kept += line + '\n';
  }
  return kept;
}

void fill(Registry& registry) {
  registry.add({"DB", "db", "internal", [] { return true; }});
  StatusEndpoint odd("C:\\ \"odd\"\nname", "odd", "a \"type\"", [] { return Status::crit("x"); });
  odd.critical = false;
  registry.add(odd);
  registry.add({"Never", "never", "external", [] { return true; }});
}

TEST(PrometheusCollector, WritesWhatPrometheusTextWrites) {
  Registry registry;
  fill(registry);
  RouterOptions options;
  Router router(registry, options);
  testing::get(router, "/status/db");
  testing::get(router, "/status/odd");
  auto collector = std::make_shared<PrometheusCollector>(registry);
  const auto families = collector->Collect();
  const auto text = prometheus::TextSerializer().Serialize(families);
  EXPECT_EQ(samples(text), samples(prometheus_text(registry)));
  EXPECT_THAT(text, HasSubstr("# HELP healthchecks_check_failures_total Executions whose result"));
  EXPECT_THAT(text, HasSubstr("# TYPE healthchecks_check_failures_total counter"));
  EXPECT_THAT(text, HasSubstr("healthchecks_check_duration_seconds{slug=\"db\"} "));
  EXPECT_THAT(text,
              ::testing::Not(HasSubstr("healthchecks_check_duration_seconds{slug=\"never\"}")));
  EXPECT_EQ(testing::promtool_problems(text), "");
}

TEST(PrometheusCollector, ARealExposerServesIt) {
  Registry registry;
  fill(registry);
  auto collector = std::make_shared<PrometheusCollector>(registry);
  const auto port = testing::free_port();
  prometheus::Exposer exposer("127.0.0.1:" + std::to_string(port));
  exposer.RegisterCollectable(collector);
  const auto reply = testing::http_get(port, "/metrics");
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body,
              HasSubstr("healthchecks_dependency_status{slug=\"db\",name=\"DB\",type=\"internal\","
                        "level=\"NONE\"} 1"));
  EXPECT_THAT(reply.body, HasSubstr("healthchecks_aggregate_status{level=\"NONE\"} 1"));
  EXPECT_EQ(testing::promtool_problems(reply.body), "");
}

}  // namespace
}  // namespace healthchecks
