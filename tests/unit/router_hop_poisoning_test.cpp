// What a caller's hop headers may change: its own answer, never anybody else's. Anonymous
// requests with X-Healthchecks-Deadline-Ms, -Hops or -Via used to turn cached results, shared
// executions, dampening, listeners and the history red for every probe (issue 10).
#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/checks/http.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "support/http_client.hpp"
#include "support/service.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using testing::Service;

// Listener and history, to see that nothing the attacker caused was recorded.
struct Recorder {
  RegistryOptions options() {
    RegistryOptions o;
    o.on_change = [this](const StatusChange&) { ++changes; };
    o.history_size = 10;
    return o;
  }
  std::atomic<int> changes{0};
};

Response get(const Router& router, const std::string& target, const Fields& fields = {}) {
  return router.handle(Request("GET", target, &fields));
}

std::string history_of(const Router& router) {
  return nlohmann::json::parse(get(router, "/status/about").body)["customData"]["statusChanges"]
      .dump();
}

TEST(RouterHopPoisoning, ADeadlineHeaderLimitsOnlyTheCallersWait) {
  Recorder recorder;
  Registry registry(About{}, recorder.options());
  StatusEndpoint db("DB", "db", "internal", [] {
    std::this_thread::sleep_for(100ms);
    return true;
  });
  db.cache_ttl = 60s;
  registry.add(db);
  Router router(registry);

  const auto hurried = get(router, "/status/aggregate", {{"X-Healthchecks-Deadline-Ms", "1"}});
  EXPECT_THAT(hurried.body, HasSubstr("timed out waiting after 1 ms"));
  // The execution went on with its own time-out; what it found is what everybody sees.
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(get(router, "/status/aggregate").body, R"(["OK"])");
  EXPECT_EQ(get(router, "/status/db").body, R"(["OK"])");
  EXPECT_EQ(recorder.changes, 0);
  EXPECT_EQ(history_of(router), "[]");
}

TEST(RouterHopPoisoning, AHopCountFromACallerNeverReachesTheCacheTheListenerOrTheHistory) {
  Service b;
  b.serve({{"Cache", "cache", "internal", [] { return true; }}});
  Recorder recorder;
  Service a({}, recorder.options());
  auto peer = checks::peer("B", "b", b.url());
  peer.cache_ttl = 60s;
  peer.failures_before_crit = 1;
  a.serve({peer});

  // 32 crossed: B refuses the 33rd hop, and this caller reads that ...
  const auto attacked =
      testing::http_get(a.port, "/status/aggregate", "GET", {{"X-Healthchecks-Hops", "32"}});
  EXPECT_THAT(attacked.body, HasSubstr("Hop limit"));
  // ... and nobody else does.
  EXPECT_EQ(testing::http_get(a.port, "/status/aggregate").body, R"(["OK"])");
  EXPECT_EQ(testing::http_get(a.port, "/status/b").body, R"(["OK"])");
  EXPECT_EQ(recorder.changes, 0);
  EXPECT_EQ(history_of(*a.router), "[]");
}

TEST(RouterHopPoisoning, ProbesNeverJoinAnExecutionMadeForACallersHeaders) {
  Service b;
  b.serve({{"Slow", "slow", "internal", [] {
              std::this_thread::sleep_for(300ms);
              return true;
            }}});
  Service a;
  a.serve({checks::peer("B", "b", b.url())});  // no cache: every probe runs or joins a run

  auto attacker = std::async(std::launch::async, [&] {
    return testing::http_get(a.port, "/status/aggregate", "GET", {{"X-Healthchecks-Hops", "32"}});
  });
  std::this_thread::sleep_for(50ms);  // the attacker's execution is under way
  const auto probe = testing::http_get(a.port, "/status/aggregate");
  EXPECT_EQ(probe.body, R"(["OK"])");
  EXPECT_THAT(attacker.get().body, HasSubstr("Hop limit"));
}

TEST(RouterHopPoisoning, ACycleIsStillCaughtAtOnceAndAnOverlongViaCannotDefeatIt) {
  Service a, b;
  a.serve({{"DB", "db", "internal", [] { return true; }}, checks::peer("B", "b", b.url())});
  b.serve({{"Cache", "cache", "internal", [] { return true; }}, checks::peer("A", "a", a.url())});
  for (const std::string& via : {std::string(), std::string(4090, 'x'),
                                 std::string(2000, 'a') + "," + std::string(2000, 'b')}) {
    std::map<std::string, std::string> headers;
    if (!via.empty()) headers["X-Healthchecks-Via"] = via;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(testing::http_get(a.port, "/status/aggregate", "GET", headers).body, R"(["OK"])")
        << via.size();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms)
        << "a chain of " << via.size() << " bytes: answered without waiting for a deadline";
  }
  // Probes meanwhile read OK, at once.
  EXPECT_EQ(testing::http_get(b.port, "/status/aggregate").body, R"(["OK"])");
}

TEST(RouterHopPoisoning, ADiamondIsNoCycleAndStaysGreenUnderPoisoningHeaders) {
  // A -> B -> D and A -> C -> D: D is reached by two paths, which is not a cycle.
  Service a, b, c, d;
  std::atomic<int> d_runs{0};
  d.serve({{"Disk", "disk", "internal", [&] {
              ++d_runs;
              return true;
            }}});
  b.serve({checks::peer("D", "d", d.url())});
  c.serve({checks::peer("D", "d", d.url())});
  a.serve({checks::peer("B", "b", b.url()), checks::peer("C", "c", c.url())});

  std::vector<std::future<testing::HttpReply>> attackers;
  const std::vector<std::map<std::string, std::string>> poison = {
      {{"X-Healthchecks-Deadline-Ms", "1"}},
      {{"X-Healthchecks-Hops", "32"}},
      {{"X-Healthchecks-Via", std::string(4090, 'v')}},
      {{"X-Healthchecks-Hops", "31"}, {"X-Healthchecks-Via", "attacker"}}};
  for (const auto& headers : poison) {
    attackers.push_back(std::async(std::launch::async, [&a, headers] {
      return testing::http_get(a.port, "/status/aggregate", "GET", headers);
    }));
  }
  const auto start = std::chrono::steady_clock::now();
  const auto about = nlohmann::json::parse(testing::http_get(a.port, "/status/v2/about").body);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  for (const auto& dependency : about["dependencies"]) {
    EXPECT_EQ(dependency["status"]["result"], "OK") << dependency.dump();
    EXPECT_THAT(dependency["status"]["details"].get<std::string>(), Not(HasSubstr("cycle")));
  }
  for (auto& attacker : attackers) (void)attacker.get();
  EXPECT_EQ(testing::http_get(a.port, "/status/aggregate").body, R"(["OK"])");
  EXPECT_GE(d_runs.load(), 1);
}

TEST(RouterHopPoisoning, ExecutionsForCallersChainsAreBoundedAndAFloodOfChainsNeverTurnsPeersRed) {
  RegistryOptions options;
  options.max_caller_executions = 2;
  Registry registry(About{}, options);
  std::atomic<bool> healthy{true};
  registry.add({"Slow", "slow", "internal", [&healthy] {
                  std::this_thread::sleep_for(300ms);
                  return healthy.load();
                }});
  Router router(registry);
  const auto flood = [&router](const std::vector<std::string>& chains) {
    std::vector<std::future<Response>> callers;
    for (const auto& via : chains) {
      callers.push_back(std::async(std::launch::async, [&router, via] {
        return get(router, "/status/slow", {{"X-Healthchecks-Via", via}});
      }));
    }
    std::this_thread::sleep_for(100ms);  // both slots are taken now
    return callers;
  };

  // Before any result exists, a caller beyond the cap is told to come back.
  auto callers = flood({"one", "two"});
  const auto third = get(router, "/status/slow", {{"X-Healthchecks-Via", "three"}});
  EXPECT_EQ(third.status, 503);
  EXPECT_THAT(third.body, HasSubstr("max_caller_executions"));
  auto same = std::async(std::launch::async, [&router] {
    return get(router, "/status/slow", {{"X-Healthchecks-Via", "one"}});
  });
  EXPECT_EQ(same.get().body, R"(["OK"])") << "the same chain joins its execution";
  for (auto& caller : callers) EXPECT_EQ(caller.get().body, R"(["OK"])");

  // Once a result obtained without a chain exists, a caller beyond the cap reads it (a peer
  // polling us is not failed by somebody else's flood), and probes are never refused.
  EXPECT_EQ(get(router, "/status/slow").body, R"(["OK"])");
  healthy = false;  // what the flood's own executions find is theirs alone
  callers = flood({"four", "five"});
  const auto peer = get(router, "/status/v2/about", {{"X-Healthchecks-Via", "peer"}});
  EXPECT_EQ(peer.status, 200);
  EXPECT_THAT(peer.body, HasSubstr(R"("result":"OK")"));
  EXPECT_THAT(peer.body, HasSubstr(R"("statusAge":)"));
  for (auto& caller : callers) EXPECT_THAT(caller.get().body, HasSubstr("CRIT"));
  EXPECT_EQ(get(router, "/status/slow", {{"X-Healthchecks-Via", "six"}}).status, 200)
      << "slots come back";
}

}  // namespace
}  // namespace healthchecks
