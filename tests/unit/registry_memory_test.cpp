// Answers from memory: About rendered in place and the aggregate's kept verdict
// (api/aggregate.cpp, GlanceMemo) must say what the long way says, and stop the moment a result
// changes, expires or turns stale.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// When every result is in memory, About is rendered in place (answer_about_from_memory): it must
// say exactly what the long way says, apart from the ages, with the same caching headers.
TEST(RegistryCache, AboutFromMemorySaysWhatTheLongWaySays) {
  for (const char* target : {"/status/about", "/status/v2/about"}) {
    Registry registry;
    StatusEndpoint db("DB \"main\" \u00e9", "db", "internal",
                      [] { return Status::warn("", "slow: 12 ms <over> \"limit\"\n"); });
    db.cache_ttl = 10s;
    StatusEndpoint cache("Cache", "cache", "external", [] { return Status::crit("", "down"); });
    cache.cache_ttl = 20s;
    cache.critical = false;
    registry.add(db).add(cache);
    Router router(registry);
    const auto long_way = router.handle("GET", target);  // runs the checks
    const auto memory = router.handle("GET", target);
    auto first = nlohmann::json::parse(long_way.body);
    auto second = nlohmann::json::parse(memory.body);
    for (auto& dependency : second["dependencies"]) {
      ASSERT_TRUE(dependency["statusAge"].is_number()) << memory.body;
      EXPECT_LT(dependency["statusAge"].get<double>(), 1.0);
      dependency.erase("statusAge");
    }
    EXPECT_EQ(first, second) << long_way.body << "\n" << memory.body;
    EXPECT_EQ(second["dependencies"][1]["critical"], false);
    EXPECT_EQ(memory.header("Cache-Control"), "max-age=9");
    EXPECT_EQ(memory.header("Age"), "0");
  }
}

TEST(RegistryFreshness, AboutFromMemoryTellsAStaleResult) {
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [] { return Status::ok("", "fine"); });
  db.interval = 10s;     // nobody will refresh it in time ...
  db.max_stale = 100ms;  // ... for this limit
  registry.add(db);
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/db").body, R"(["OK"])");
  std::this_thread::sleep_for(200ms);
  const auto about = nlohmann::json::parse(router.handle("GET", "/status/about").body);
  const auto& status = about["dependencies"][0]["status"];
  EXPECT_EQ(status[0], "WARN");
  EXPECT_THAT(status[1]["details"].get<std::string>(),
              HasSubstr("older than the 100 ms limit; it said OK: fine"));
  EXPECT_GT(about["dependencies"][0]["statusAge"].get<double>(), 0.1);
}

// The unfiltered aggregate keeps its verdict from memory (GlanceMemo) until a result changes or
// expires: each of these must still show at the next poll.
TEST(RegistryCache, AggregateFromMemoryEndsWhenAResultExpires) {
  auto executions = std::make_shared<std::atomic<int>>(0);
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [executions] {
    ++*executions;
    return true;
  });
  db.cache_ttl = 300ms;
  registry.add(db);
  Router router(registry);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(router.handle("GET", "/status/aggregate").body, R"(["OK"])");
  EXPECT_EQ(*executions, 1);
  std::this_thread::sleep_for(350ms);
  EXPECT_EQ(router.handle("GET", "/status/aggregate").body, R"(["OK"])");
  EXPECT_EQ(*executions, 2) << "the expired result was checked again, not remembered";
}

TEST(RegistryCache, AggregateFromMemoryKeepsItsHeadersTrue) {
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [] { return true; });
  db.cache_ttl = 10s;
  registry.add(db);
  Router router(registry);
  router.handle("GET", "/status/aggregate");
  EXPECT_EQ(router.handle("GET", "/status/aggregate").header("Cache-Control"), "max-age=9");
  std::this_thread::sleep_for(1100ms);
  const auto later = router.handle("GET", "/status/aggregate");
  EXPECT_EQ(later.header("Cache-Control"), "max-age=8");
  EXPECT_EQ(later.header("Age"), "1");
}

TEST(RegistryBackground, AggregateFromMemorySeesEachNewLevel) {
  auto level = std::make_shared<std::atomic<Level>>(Level::ok);
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [level] { return Status{level->load(), "", "x"}; });
  db.interval = 20ms;
  StatusEndpoint cache("Cache", "cache", "internal", [] { return true; });
  cache.cache_ttl = 10s;
  registry.add(db).add(cache);
  Router router(registry);
  const auto poll_until = [&router](const std::string& expected) {
    const auto deadline = Clock::now() + 5s;
    std::string body;
    while (Clock::now() < deadline) {
      body = router.handle("GET", "/status/aggregate").body;
      if (body.rfind(expected, 0) == 0) return body;
      std::this_thread::sleep_for(5ms);
    }
    return body;
  };
  EXPECT_EQ(poll_until(R"(["OK"])"), R"(["OK"])");
  level->store(Level::crit);
  EXPECT_THAT(poll_until(R"(["CRIT")"), StartsWith(R"(["CRIT",{"description":"DB")"));
  level->store(Level::ok);
  EXPECT_EQ(poll_until(R"(["OK"])"), R"(["OK"])");
}

TEST(RegistryFreshness, AggregateFromMemoryTurnsStaleOnTime) {
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [] { return true; });
  db.interval = 10s;     // nobody will refresh it in time ...
  db.max_stale = 150ms;  // ... for this limit
  registry.add(db);
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/db").body, R"(["OK"])");
  EXPECT_EQ(router.handle("GET", "/status/aggregate").body, R"(["OK"])");
  EXPECT_EQ(router.handle("GET", "/status/aggregate").body, R"(["OK"])");
  std::this_thread::sleep_for(250ms);
  EXPECT_THAT(router.handle("GET", "/status/aggregate").body,
              StartsWith(R"(["WARN",{"description":"DB","result":"WARN","details":"stale: )"));
}
}  // namespace
}  // namespace healthchecks
