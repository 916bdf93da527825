// Registry::check_health: aggregate's verdict without HTTP (the gRPC health service asks it).
#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/registry.hpp"

namespace healthchecks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using namespace std::chrono_literals;
using Outcome = HealthAnswer::Outcome;

HealthAnswer ask(Registry& registry, HealthQuery query) {
  std::promise<HealthAnswer> promise;
  auto future = promise.get_future();
  registry.check_health(std::move(query),
                        [&promise](HealthAnswer answer) { promise.set_value(std::move(answer)); });
  return future.get();
}

// db (internal, CRIT), cache (internal, non-critical CRIT), api (external, WARN).
void add_three(Registry& registry) {
  registry.add({"Database", "db", "internal", Check([] { return Status::crit("db down"); })});
  StatusEndpoint cache("Cache", "cache", "internal", Check([] { return Status::crit("cold"); }));
  cache.critical = false;
  registry.add(std::move(cache));
  registry.add({"API", "api", "external", Check([] { return Status::warn("slow"); })});
}

TEST(RegistryCheckHealth, JudgesEveryDependencyAsAggregateDoes) {
  Registry registry;
  add_three(registry);
  const auto answer = ask(registry, {});
  EXPECT_EQ(answer.outcome, Outcome::answered);
  EXPECT_EQ(answer.status.level, Level::crit);
  EXPECT_EQ(answer.status.details, "db down");
  EXPECT_THAT(answer.levels, ElementsAre(Pair("db", Level::crit), Pair("cache", Level::crit),
                                         Pair("api", Level::warn)));
}

TEST(RegistryCheckHealth, AllOkReadsTheAggregatesOk) {
  Registry registry;
  registry.add({"Database", "db", "internal", Check([] { return true; })});
  const auto answer = ask(registry, {});
  EXPECT_EQ(answer.status.level, Level::ok);
  EXPECT_EQ(answer.status.details, "All checks are OK");
}

TEST(RegistryCheckHealth, FiltersByTypeAndDemotesANonCriticalCrit) {
  Registry registry;
  add_three(registry);
  HealthQuery external;
  external.type = "external";
  auto answer = ask(registry, external);
  EXPECT_EQ(answer.status.level, Level::warn);
  EXPECT_THAT(answer.levels, ElementsAre(Pair("api", Level::warn)));

  Registry second;
  StatusEndpoint cache("Cache", "cache", "internal", Check([] { return Status::crit("cold"); }));
  cache.critical = false;
  second.add(std::move(cache));
  HealthQuery internal;
  internal.type = "internal";
  answer = ask(second, internal);
  EXPECT_EQ(answer.status.level, Level::warn);
  EXPECT_THAT(answer.status.details, HasSubstr("not critical"));
}

TEST(RegistryCheckHealth, ASlugIsThatDependencysOwnStatus) {
  Registry registry;
  add_three(registry);
  HealthQuery one;
  one.slug = "cache";
  const auto answer = ask(registry, one);
  EXPECT_EQ(answer.status.level, Level::crit);  // its own level, not the aggregate's demotion
  EXPECT_EQ(answer.status.details, "cold");
  EXPECT_THAT(answer.levels, ElementsAre(Pair("cache", Level::crit)));
}

TEST(RegistryCheckHealth, UnknownSlugAndBadTypeAreSaid) {
  Registry registry;
  add_three(registry);
  HealthQuery unknown;
  unknown.slug = "nope";
  EXPECT_EQ(ask(registry, unknown).outcome, Outcome::unknown_slug);
  HealthQuery bad;
  bad.type = "everything";
  EXPECT_EQ(ask(registry, bad).outcome, Outcome::bad_type);
}

TEST(RegistryCheckHealth, DrainingIsCritWithoutRunningAnything) {
  std::atomic<int> runs{0};
  Registry registry;
  registry.add({"Database", "db", "internal", Check([&] {
                  ++runs;
                  return true;
                })});
  registry.set_ready(false);
  const auto answer = ask(registry, {});
  EXPECT_EQ(answer.status.level, Level::crit);
  EXPECT_EQ(answer.status.description, "Draining");
  EXPECT_EQ(runs.load(), 0);
}

TEST(RegistryCheckHealth, TheQuerysDeadlineBoundsASlowCheck) {
  Registry registry;
  StatusEndpoint slow("Slow", "slow", "internal", Check([] {
                        std::this_thread::sleep_for(1500ms);
                        return true;
                      }));
  registry.add(std::move(slow));
  HealthQuery query;
  query.deadline = std::chrono::steady_clock::now() + 100ms;
  const auto started = std::chrono::steady_clock::now();
  const auto answer = ask(registry, query);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1000ms);
  EXPECT_EQ(answer.status.level, Level::crit);
  EXPECT_THAT(answer.status.details, HasSubstr("timed out"));
}

// The first questions may come at once, from threads of a server that started the registry
// by asking: each waits for the runtime the first one makes.
TEST(RegistryCheckHealth, ConcurrentFirstQuestionsStartTheRegistryOnce) {
  for (int round = 0; round < 20; ++round) {
    Registry registry;
    registry.add({"Database", "db", "internal", Check([] { return true; })});
    std::vector<std::thread> threads;
    std::atomic<int> answered{0};
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        if (ask(registry, {}).status.level == Level::ok) ++answered;
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(answered.load(), 8);
  }
}

}  // namespace
}  // namespace healthchecks
