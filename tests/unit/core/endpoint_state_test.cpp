// The engine's behaviours called directly (no Router, no JSON): what one dependency's state
// answers, when it runs its check, and whom a caller's chain may reach.
#include "core/endpoint_state.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/engine.hpp"
#include "support/matchers.hpp"

namespace healthchecks::detail {
namespace {

using namespace std::chrono_literals;
using testing::HasLevel;
using testing::IsStatus;

// An engine with one endpoint, started.
struct OneEndpoint {
  explicit OneEndpoint(StatusEndpoint endpoint, RegistryOptions options = {})
      : engine(About{}, std::move(options)) {
    engine.add(std::move(endpoint));
    engine.start();
    state = engine.endpoints().front().get();
  }
  Outcome outcome(const Budget& budget = {}) {
    std::promise<Outcome> promise;
    auto future = promise.get_future();
    state->request_outcome(budget, [&promise](Outcome o) { promise.set_value(std::move(o)); });
    return future.get();
  }
  Engine engine;
  EndpointState* state = nullptr;
};

StatusEndpoint counting(std::atomic<int>& runs, std::chrono::milliseconds takes = 0ms) {
  return StatusEndpoint("Counted", "counted", "internal", [&runs, takes] {
    ++runs;
    std::this_thread::sleep_for(takes);
    return true;
  });
}

TEST(EndpointState, FillsTheDescriptionWithTheEndpointName) {
  OneEndpoint one(StatusEndpoint("Database", "db", "internal",
                                 [] { return Status::crit("connection refused"); }));
  const Outcome outcome = one.outcome();
  EXPECT_THAT(outcome.status, IsStatus(Level::crit, "connection refused"));
  EXPECT_EQ(outcome.status.description, "Database");
  EXPECT_FALSE(outcome.age);  // run for this request, not remembered
}

TEST(EndpointState, CallersAtTheSameTimeShareOneExecution) {
  std::atomic<int> runs{0};
  OneEndpoint one(counting(runs, 200ms));
  std::vector<std::future<Outcome>> answers;
  for (int i = 0; i < 8; ++i) answers.push_back(std::async([&] { return one.outcome(); }));
  for (auto& answer : answers) EXPECT_THAT(answer.get().status, HasLevel(Level::ok));
  EXPECT_EQ(runs, 1);
}

TEST(EndpointState, AnswersFromMemoryWithinTheCacheTtl) {
  std::atomic<int> runs{0};
  auto endpoint = counting(runs);
  endpoint.cache_ttl = 60s;
  OneEndpoint one(std::move(endpoint));
  one.outcome();
  const Outcome second = one.outcome();
  EXPECT_EQ(runs, 1);
  ASSERT_TRUE(second.age);
  EXPECT_GT(second.fresh_for, 0);
  EndpointState::CachedLevel cached;
  EXPECT_TRUE(one.state->cached_level(Clock::now(), cached));
  EXPECT_EQ(cached.level, Level::ok);
}

TEST(EndpointState, ACallersDeadlineBoundsItsWaitNotTheExecution) {
  std::atomic<int> runs{0};
  OneEndpoint one(counting(runs, 300ms));
  Budget hurried;
  hurried.deadline = Clock::now() + 20ms;
  EXPECT_THAT(one.outcome(hurried).status, IsStatus(Level::crit, "timed out waiting after"));
  // The execution went on; a patient caller joins it instead of starting another.
  EXPECT_THAT(one.outcome().status, HasLevel(Level::ok));
  EXPECT_EQ(runs, 1);
}

TEST(EndpointState, ACallerWithAChainGetsAnExecutionOfItsOwn) {
  std::atomic<int> runs{0};
  auto endpoint = counting(runs);
  endpoint.cache_ttl = 60s;
  OneEndpoint one(std::move(endpoint));
  Budget peer;
  peer.hops = 1;
  peer.via = "0123456789abcdef";
  one.outcome(peer);
  // Its result is its own: not remembered for the callers without a chain.
  EndpointState::CachedLevel cached;
  EXPECT_FALSE(one.state->cached_level(Clock::now(), cached));
  one.outcome();
  EXPECT_EQ(runs, 2);
}

TEST(EndpointState, ACycleDoesNotAskATraversablePeerAgain) {
  std::atomic<int> runs{0};
  auto endpoint = counting(runs);
  endpoint.traversable = true;
  endpoint.traverse = [](const TraverseRequest&, std::function<void(TraverseResult)>) {};
  OneEndpoint one(std::move(endpoint));
  Budget cycle;
  cycle.cycle = true;
  EXPECT_THAT(one.outcome(cycle).status, IsStatus(Level::ok, "already passed through"));
  EXPECT_EQ(runs, 0);
}

TEST(EndpointState, FlapDampeningHoldsTheLevelUntilEnoughResultsAgree) {
  std::atomic<bool> up{true};
  StatusEndpoint endpoint("Flaky", "flaky", "internal", [&up] { return up.load(); });
  endpoint.failures_before_crit = 2;
  OneEndpoint one(std::move(endpoint));
  EXPECT_THAT(one.outcome().status, HasLevel(Level::ok));
  up = false;
  EXPECT_THAT(one.outcome().status, IsStatus(Level::ok, "1 of 2 consecutive failures"));
  EXPECT_THAT(one.outcome().status, HasLevel(Level::crit));
}

}  // namespace
}  // namespace healthchecks::detail
