// Metrics (healthchecks/metrics.hpp, RouterOptions::metrics): the series and their HELP and TYPE
// lines, NONE before the first result, the counts after executions, time-outs, throws and level
// changes, escaped label values, scrapes that never run a check, and the slug clash.
#include "healthchecks/metrics.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "support/router_get.hpp"

namespace healthchecks {
namespace {

using testing::get;
using ::testing::HasSubstr;
using ::testing::Not;

RouterOptions with_metrics() {
  RouterOptions options;
  options.metrics = true;
  return options;
}

TEST(Metrics, TheRouteIsOffByDefault) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return true; }});
  Router router(registry);
  EXPECT_EQ(get(router, "/status/metrics").status, 404);
}

TEST(Metrics, EverySeriesHasHelpAndTypeAndNeverCheckedReadsNone) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return true; }});
  Router router(registry, with_metrics());
  const auto response = get(router, "/status/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = response.body;
  for (const char* gauge :
       {"healthchecks_dependency_status", "healthchecks_aggregate_status",
        "healthchecks_check_duration_seconds", "healthchecks_result_age_seconds"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# HELP ") + gauge + " "));
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + gauge + " gauge\n"));
  }
  for (const char* counter :
       {"healthchecks_check_executions_total", "healthchecks_check_timeouts_total",
        "healthchecks_check_failures_total", "healthchecks_level_changes_total"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# HELP ") + counter + " "));
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + counter + " counter\n"));
    EXPECT_THAT(text, HasSubstr(std::string(counter) + "{slug=\"db\"} 0\n"));
  }
  EXPECT_THAT(text,
              HasSubstr("healthchecks_dependency_status{slug=\"db\",name=\"DB\",type=\"internal\","
                        "level=\"OK\"} 0\n"
                        "healthchecks_dependency_status{slug=\"db\",name=\"DB\",type=\"internal\","
                        "level=\"WARN\"} 0\n"
                        "healthchecks_dependency_status{slug=\"db\",name=\"DB\",type=\"internal\","
                        "level=\"CRIT\"} 0\n"
                        "healthchecks_dependency_status{slug=\"db\",name=\"DB\",type=\"internal\","
                        "level=\"NONE\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_aggregate_status{level=\"NONE\"} 1\n"));
  // No result, no timings: the series are absent rather than a made-up 0.
  EXPECT_THAT(text, Not(HasSubstr("healthchecks_check_duration_seconds{")));
  EXPECT_THAT(text, Not(HasSubstr("healthchecks_result_age_seconds{")));
}

TEST(Metrics, ScrapesNeverRunACheck) {
  std::atomic<int> runs{0};
  Registry registry;
  registry.add({"DB", "db", "internal", [&] {
                  ++runs;
                  return true;
                }});
  Router router(registry, with_metrics());
  for (int i = 0; i < 20; ++i) get(router, "/status/metrics");
  EXPECT_EQ(runs.load(), 0);
  get(router, "/status/db");
  EXPECT_EQ(runs.load(), 1);
  // The check is neither cached nor refreshed: its last result stays, with its age.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const auto text = get(router, "/status/metrics").body;
  EXPECT_EQ(runs.load(), 1);
  EXPECT_THAT(text, HasSubstr("level=\"OK\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_check_executions_total{slug=\"db\"} 1\n"));
  const auto age_at = text.find("healthchecks_result_age_seconds{slug=\"db\"} ");
  ASSERT_NE(age_at, std::string::npos);
  const double age = std::stod(text.substr(age_at + 44));
  EXPECT_GE(age, 0.03);
  EXPECT_LT(age, 10.0);
  // Seconds as exact decimals of the nanoseconds: digits, and a fraction without trailing 0s.
  EXPECT_THAT(text,
              ::testing::ContainsRegex("\nhealthchecks_check_duration_seconds\\{slug=\"db\"\\} "
                                       "[0-9]+(\\.[0-9]*[1-9])?\n"));
}

TEST(Metrics, CountsExecutionsFailuresTimeoutsThrowsAndLevelChanges) {
  std::atomic<int> mode{0};  // 0 OK, 1 CRIT, 2 hang past the time-out, 3 throw
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [&]() -> Status {
    switch (mode.load()) {
      case 1:
        return Status::crit("down");
      case 2:
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        return Status::ok();
      case 3:
        throw std::runtime_error("boom");
      default:
        return Status::ok();
    }
  });
  db.timeout = std::chrono::milliseconds(50);
  registry.add(db);
  Router router(registry, with_metrics());
  MetricsReader reader(registry);

  get(router, "/status/db");  // OK
  mode = 1;
  get(router, "/status/db");  // CRIT: a failure and a change
  get(router, "/status/db");  // CRIT again: a failure, no change
  mode = 2;
  get(router, "/status/db");                                    // times out: a failure, still CRIT
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // the hung check returns
  mode = 3;
  get(router, "/status/db");  // throws: a failure
  mode = 0;
  get(router, "/status/db");  // OK: a change back

  const auto metrics = reader.read();
  ASSERT_EQ(metrics.dependencies.size(), 1u);
  const auto& d = metrics.dependencies[0];
  EXPECT_EQ(d.slug, "db");
  EXPECT_EQ(d.name, "DB");
  EXPECT_EQ(d.type, "internal");
  EXPECT_EQ(d.level, Level::ok);
  EXPECT_EQ(d.executions, 6u);
  EXPECT_EQ(d.failures, 4u);
  EXPECT_EQ(d.timeouts, 1u);
  EXPECT_EQ(d.level_changes, 2u);
  EXPECT_GT(d.duration_seconds, 0.0);
  EXPECT_LT(d.duration_seconds, 0.05);
  EXPECT_EQ(metrics.aggregate, Level::ok);

  const auto text = get(router, "/status/metrics").body;
  EXPECT_THAT(text, HasSubstr("healthchecks_check_executions_total{slug=\"db\"} 6\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_check_failures_total{slug=\"db\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_check_timeouts_total{slug=\"db\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_level_changes_total{slug=\"db\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_aggregate_status{level=\"OK\"} 1\n"));
}

TEST(Metrics, DampenedFailuresCountButTheLevelShownHoldsAndDoesNotChange) {
  std::atomic<bool> up{false};
  Registry registry;
  StatusEndpoint db("DB", "db", "internal",
                    [&] { return up ? Status::ok() : Status::crit("down"); });
  db.failures_before_crit = 3;
  registry.add(db);
  Router router(registry, with_metrics());
  get(router, "/status/db");
  get(router, "/status/db");
  const auto metrics = MetricsReader(registry).read();
  EXPECT_EQ(metrics.dependencies[0].failures, 2u);
  EXPECT_EQ(metrics.dependencies[0].level, Level::ok);
  EXPECT_EQ(metrics.dependencies[0].level_changes, 0u);
}

TEST(Metrics, ExecutionsForACallersHopChainAreTheCallers) {
  std::atomic<int> runs{0};
  Registry registry;
  registry.add({"DB", "db", "internal", [&] {
                  ++runs;
                  return Status::crit("down");
                }});
  Router router(registry, with_metrics());
  const Fields peer{{"X-Healthchecks-Hops", "1"}, {"X-Healthchecks-Via", "0123456789abcdef"}};
  get(router, "/status/db", &peer);
  EXPECT_EQ(runs.load(), 1);
  const auto metrics = MetricsReader(registry).read();
  EXPECT_EQ(metrics.dependencies[0].executions, 0u);
  EXPECT_EQ(metrics.dependencies[0].failures, 0u);
  EXPECT_FALSE(metrics.dependencies[0].level.has_value());
}

TEST(Metrics, TheAggregateCombinesLevelsAsTheAggregateAnswerDoes) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return true; }});
  StatusEndpoint search("Search", "search", "external", [] { return Status::crit("gone"); });
  search.critical = false;
  registry.add(search);
  Router router(registry, with_metrics());
  get(router, "/status/db");
  // One dependency has no result yet: the aggregate is not known.
  EXPECT_THAT(get(router, "/status/metrics").body,
              HasSubstr("healthchecks_aggregate_status{level=\"NONE\"} 1\n"));
  EXPECT_THAT(get(router, "/status/aggregate").body, HasSubstr("\"WARN\""));
  const auto text = get(router, "/status/metrics").body;
  EXPECT_THAT(text, HasSubstr("healthchecks_aggregate_status{level=\"WARN\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_aggregate_status{level=\"CRIT\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("slug=\"search\",name=\"Search\",type=\"external\",level=\"CRIT\"} 1"));
}

TEST(Metrics, AResultOlderThanMaxStaleReadsWarnWithoutANewExecution) {
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [] { return true; });
  db.max_stale = std::chrono::milliseconds(50);
  registry.add(db);
  Router router(registry, with_metrics());
  get(router, "/status/db");
  EXPECT_THAT(get(router, "/status/metrics").body, HasSubstr("level=\"OK\"} 1\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  const auto text = get(router, "/status/metrics").body;
  EXPECT_THAT(text, HasSubstr("level=\"WARN\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_aggregate_status{level=\"WARN\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("healthchecks_check_executions_total{slug=\"db\"} 1\n"));
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry registry;
  registry.add({"C:\\ \"quoted\"\nnext", "odd", "my \"type\"", [] { return true; }});
  Router router(registry, with_metrics());
  EXPECT_THAT(get(router, "/status/metrics").body,
              HasSubstr("{slug=\"odd\",name=\"C:\\\\ \\\"quoted\\\"\\nnext\",type=\"my "
                        "\\\"type\\\"\",level=\"OK\"} 0\n"));
  // The reader gives the values as they are.
  EXPECT_EQ(MetricsReader(registry).read().dependencies[0].name, "C:\\ \"quoted\"\nnext");
}

TEST(Metrics, TheFunctionRendersWhatTheRouteServes) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return Status::warn("slow"); }});
  Router router(registry, with_metrics());
  get(router, "/status/db");
  // Ages move on between the two renderings: compare all but those lines.
  const auto without_ages = [](const std::string& text) {
    std::string kept;
    std::size_t at = 0;
    while (at < text.size()) {
      const auto end = text.find('\n', at);
      const auto line = text.substr(at, end - at + 1);
      if (line.rfind("healthchecks_result_age_seconds{", 0) != 0) kept += line;
      at = end + 1;
    }
    return kept;
  };
  const auto text = prometheus_text(registry);
  EXPECT_THAT(text, HasSubstr("level=\"WARN\"} 1\n"));
  EXPECT_EQ(without_ages(text), without_ages(get(router, "/status/metrics").body));
}

TEST(Metrics, ADependencyWithTheSlugMetricsIsAStartUpError) {
  Registry registry;
  registry.add({"Metrics DB", "metrics", "internal", [] { return true; }});
  try {
    Router router(registry, with_metrics());
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("/status/metrics"));
    EXPECT_THAT(e.what(), HasSubstr("Metrics DB"));
    EXPECT_THAT(e.what(), HasSubstr("slug \"metrics\""));
  }
  // Without the route the slug is an ordinary one.
  Router plain(registry);
  EXPECT_THAT(get(plain, "/status/metrics").body, HasSubstr("OK"));
}

}  // namespace
}  // namespace healthchecks
