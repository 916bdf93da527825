// The resilience options through a real sidecar process: a hung check answers at its deadline
// while everything else goes on, status codes are opt-in, and the process still stops at once.
#include <signal.h>

#include <chrono>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using testing::http_get;
using testing::Process;
using testing::TempDir;
using testing::wait_until_serving;
using namespace std::chrono_literals;

constexpr const char* kConfig = R"({
  "listen": "127.0.0.1:0",
  "statusCodes": {"CRIT": 503, "WARN": 429},
  "checks": [
    {"name": "Hung DB", "slug": "db", "check": "static", "blocking": true, "delayMs": 60000,
     "timeoutMs": 300},
    {"name": "Search", "slug": "search", "type": "external", "check": "static", "result": "CRIT",
     "critical": false},
    {"name": "Cache", "slug": "cache", "check": "static", "cacheTtlMs": 60000}
  ]})";

TEST(SidecarResilience, AHungCheckAnswersAtItsDeadlineAndNothingElseWaits) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", kConfig)});
  const auto port = wait_until_serving(sidecar);

  auto hung = std::async(std::launch::async, [port] { return http_get(port, "/status/db"); });
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_get(port, "/status/am-i-up").body, "OK");
  EXPECT_EQ(http_get(port, "/status/cache").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms);

  const auto answer = hung.get();
  EXPECT_EQ(answer.status, 503) << "CRIT mapped to 503 by statusCodes";
  EXPECT_EQ(
      answer.body,
      R"(["CRIT",{"description":"Hung DB","result":"CRIT","details":"timed out after 300 ms"}])");

  // The non-critical CRIT alone would be a WARN (429); the hung critical one makes it CRIT.
  const auto aggregate = http_get(port, "/status/aggregate");
  EXPECT_EQ(aggregate.status, 503);
  EXPECT_THAT(aggregate.body, HasSubstr("Hung DB"));
  const auto external = http_get(port, "/status/aggregate?type=external");
  EXPECT_EQ(external.status, 429);
  EXPECT_THAT(external.body, HasSubstr("CRIT, but not critical for this service"));
  EXPECT_EQ(http_get(port, "/status/about").status, 200);

  // The cached check says how fresh it is.
  const auto cached = http_get(port, "/status/cache");
  EXPECT_THAT(cached.header("cache-control"), ::testing::StartsWith("max-age="));
  EXPECT_FALSE(cached.header("age").empty());

  // A thread still sleeps in the hung check; the sidecar stops anyway, at once.
  const auto stop = std::chrono::steady_clock::now();
  sidecar.kill(SIGTERM);
  EXPECT_EQ(sidecar.wait(5s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stop, 3s);
}

}  // namespace
}  // namespace healthchecks
