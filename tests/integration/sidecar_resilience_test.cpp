// The resilience options through a real sidecar process: a hung check answers at its deadline
// while everything else goes on, status codes are opt-in, and the process still stops at once.
#include <signal.h>

#include <chrono>
#include <future>
#include <map>
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

// Access control from the config: details for the token's holder, the redacted form for
// everybody else, and am-i-up and the aggregate level public.
TEST(SidecarAccess, TheTokenDecidesWhoSeesDetails) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", dir.write("svc.json", R"({
    "listen": "127.0.0.1:0",
    "about": {"id": "orders", "summary": "Orders", "maintainers": ["ops@example.com"]},
    "access": {"token": "0123456789abcdef", "redact": true},
    "checks": [{"name": "DB", "slug": "db", "check": "static", "result": "CRIT",
                "details": "password rejected by 10.1.2.3"}]})")});
  const auto port = wait_until_serving(sidecar);
  const std::map<std::string, std::string> token{{"Authorization", "Bearer 0123456789abcdef"}};

  EXPECT_EQ(http_get(port, "/status/am-i-up").body, "OK");
  const auto anonymous = http_get(port, "/status/aggregate");
  EXPECT_EQ(anonymous.body, R"(["CRIT",{"description":"","result":"CRIT","details":""}])");
  const auto about = http_get(port, "/status/about").body;
  EXPECT_THAT(about, ::testing::Not(HasSubstr("ops@example.com")));
  EXPECT_THAT(about, ::testing::Not(HasSubstr("10.1.2.3")));

  EXPECT_THAT(http_get(port, "/status/aggregate", "GET", token).body,
              HasSubstr("password rejected by 10.1.2.3"));
  EXPECT_THAT(http_get(port, "/status/about", "GET", token).body, HasSubstr("ops@example.com"));
  EXPECT_THAT(http_get(port, "/status/db", "GET", {{"Authorization", "Bearer wrong"}}).body,
              ::testing::Not(HasSubstr("10.1.2.3")));
}

}  // namespace
}  // namespace healthchecks
