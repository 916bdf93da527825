#include "healthchecks/checks/process.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "support/check_runner.hpp"
#include "support/matchers.hpp"

namespace healthchecks {
namespace {

using testing::IsStatus;
using ::testing::MatchesRegex;
using testing::run_check;

TEST(ProcessCheck, ReportsMemoryAndCpu) {
  const auto status = run_check(checks::process({}));
  EXPECT_EQ(status.level, Level::ok);
  EXPECT_THAT(status.details,
              MatchesRegex(R"(RSS [0-9.]+ MiB, CPU [0-9.]+% of a core over the last [0-9.]+ s)"));
}

TEST(ProcessCheck, MemoryAboveItsThresholds) {
  checks::ProcessOptions options;
  options.warn_rss_mib = 0.001;  // any process is bigger than a kilobyte
  EXPECT_THAT(run_check(checks::process(options)),
              IsStatus(Level::warn, "WARN: RSS above 0.001 MiB"));
  options.crit_rss_mib = 0.002;
  EXPECT_THAT(run_check(checks::process(options)),
              IsStatus(Level::crit, "CRIT: RSS above 0.002 MiB"));
}

TEST(ProcessCheck, CpuIsAveragedSinceThePreviousRun) {
  checks::ProcessOptions options;
  options.crit_cpu_percent = 5;  // low: the spinning thread may share a loaded machine
  Registry registry;
  StatusEndpoint self("Self", "self", "internal", checks::process(options));
  registry.add(self);
  Router router(registry);
  (void)router.handle("GET", "/status/self");  // the baseline
  std::atomic<bool> stop{false};
  std::thread spin([&] {
    while (!stop) {
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  spin.join();
  EXPECT_THAT(router.handle("GET", "/status/v2/self").body,
              ::testing::HasSubstr("CRIT: CPU above 5%"));
}

TEST(ProcessCheck, RejectsWarnAboveCrit) {
  checks::ProcessOptions options;
  options.warn_rss_mib = 200;
  options.crit_rss_mib = 100;
  EXPECT_THROW(checks::process(options), Error);
}

}  // namespace
}  // namespace healthchecks
