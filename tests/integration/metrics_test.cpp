// The sidecar's metrics ("metrics": true): its scrape is clean for `promtool check metrics`
// (lint included) before and after the checks ran, with label values that need escaping, and a
// dependency whose slug is `metrics` stops it at start-up naming both.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/prometheus_tools.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using testing::http_get;

TEST(SidecarMetrics, TheScrapeIsCleanForPromtool) {
  testing::TempDir dir;
  const auto config =
      dir.write("svc.json", R"({"listen": "127.0.0.1:)" + std::to_string(testing::free_port()) +
                                R"(", "metrics": true, "checks": [
      {"name": "DB", "slug": "db", "check": "static", "result": "OK"},
      {"name": "C:\\ \"odd\"\nname", "slug": "odd", "type": "a \"type\"", "check": "static",
       "result": "CRIT", "critical": false},
      {"name": "Thrower", "slug": "thrower", "check": "static", "result": "OK", "throws": "boom"},
      {"name": "Slow", "slug": "slow", "check": "static", "result": "OK", "delayMs": 500,
       "timeoutMs": 50},
      {"name": "Ticker", "slug": "ticker", "check": "static", "cycle": ["OK", "WARN"],
       "result": "OK", "intervalMs": 50}
    ]})");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  const auto port = testing::wait_until_serving(sidecar);

  const auto before = http_get(port, "/status/metrics");
  EXPECT_EQ(before.status, 200);
  EXPECT_EQ(before.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(before.body,
              HasSubstr("{slug=\"db\",name=\"DB\",type=\"internal\",level=\"NONE\"} 1\n"));
  EXPECT_EQ(testing::promtool_problems(before.body), "");

  http_get(port, "/status/aggregate");
  const auto after = http_get(port, "/status/metrics");
  EXPECT_THAT(after.body, HasSubstr("{slug=\"odd\",name=\"C:\\\\ \\\"odd\\\"\\nname\",type=\"a "
                                    "\\\"type\\\"\",level=\"CRIT\"} 1\n"));
  EXPECT_THAT(after.body, HasSubstr("healthchecks_check_failures_total{slug=\"thrower\"} 1\n"));
  EXPECT_THAT(after.body, HasSubstr("healthchecks_check_timeouts_total{slug=\"slow\"} 1\n"));
  EXPECT_THAT(after.body, HasSubstr("healthchecks_aggregate_status{level=\"CRIT\"} 1\n"));
  EXPECT_EQ(testing::promtool_problems(after.body), "");
}

TEST(SidecarMetrics, ADependencyWithTheSlugMetricsStopsTheStart) {
  testing::TempDir dir;
  const auto config = dir.write(
      "svc.json",
      R"({"listen": "127.0.0.1:)" + std::to_string(testing::free_port()) +
          R"(", "metrics": true, "checks": [{"name": "Metrics store", "slug": "metrics", "check": "static", "result": "OK"}]})");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  EXPECT_EQ(sidecar.wait(), 2);
  const auto error = sidecar.read_stderr();
  EXPECT_THAT(error, HasSubstr("metrics"));
  EXPECT_THAT(error, HasSubstr("Metrics store"));
  EXPECT_THAT(error, HasSubstr("slug \"metrics\""));
}

}  // namespace
}  // namespace healthchecks
