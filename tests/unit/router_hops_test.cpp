// The hop protocol at the router: hop limits, the caller's deadline, cycles.
#include "healthchecks/router.hpp"

#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/checks/http.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/server.hpp"
#include "support/fake_peer.hpp"
#include "support/http_client.hpp"
#include "support/router_get.hpp"
#include "support/servers.hpp"
#include "support/service.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

using testing::Service;

using testing::get;

TEST(RouterHops, ARequestThatCrossedTooManyServicesStops) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return true; }});
  Router router(registry);
  const Fields far{{"X-Healthchecks-Hops", "33"}};
  const auto response = get(router, "/status/aggregate", &far);
  EXPECT_EQ(
      response.body,
      R"json(["CRIT",{"description":"Hop limit","result":"CRIT","details":"this request crossed 33 services, more than the 32 allowed (is there a cycle in the service graph?)"}])json");
  EXPECT_EQ(get(router, "/status/am-i-up", &far).body, "OK");
  const Fields near{{"X-Healthchecks-Hops", "32"}};
  EXPECT_EQ(get(router, "/status/aggregate", &near).body, R"(["OK"])");
  const Fields junk{{"X-Healthchecks-Hops", "-5x"}};
  EXPECT_EQ(get(router, "/status/aggregate", &junk).body, R"(["OK"])") << "unreadable: ignored";
}

TEST(RouterHops, ATraversalPathLongerThanTheLimitStops) {
  Registry registry;
  StatusEndpoint peer("Peer", "peer", "external", [] { return true; });
  peer.traversable = true;
  peer.traverse = [](const TraverseRequest&, std::function<void(TraverseResult)> done) {
    done(TraverseResult{{}, Response{200, "application/json", "{}", {}}});
  };
  registry.add(peer);
  Router router(registry);
  std::string path = "peer";
  for (int i = 0; i < 40; ++i) path += ",peer";
  EXPECT_THAT(get(router, "/status/traverse?dependencies=" + path).body,
              HasSubstr("the traversal is 41 hops long (0 crossed, 41 to go); at most 32"));
  const Fields crossed{{"X-Healthchecks-Hops", "30"}};
  EXPECT_THAT(get(router, "/status/traverse?dependencies=peer,peer,peer", &crossed).body,
              HasSubstr("the traversal is 33 hops long (30 crossed, 3 to go)"));
  EXPECT_EQ(get(router, "/status/traverse?dependencies=peer,peer", &crossed).body, "{}");
}

TEST(RouterHops, TheCallersDeadlineBoundsItsOwnWait) {
  Registry registry;
  registry.add({"Slow", "slow", "internal", [] {
                  std::this_thread::sleep_for(1000ms);
                  return true;
                }});
  Router router(registry);
  const Fields hurried{{"X-Healthchecks-Deadline-Ms", "150"}};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(get(router, "/status/slow", &hurried).body,
              HasSubstr("timed out waiting after 150 ms (the request's deadline"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 700ms);
}

TEST(RouterHops, ACycleOfPeersAnswersAtOnceInsteadOfWaitingForItself) {
  Service a, b;
  a.serve({{"DB", "db", "internal", [] { return true; }}, checks::peer("B", "b", b.url())});
  b.serve({{"Cache", "cache", "internal", [] { return true; }}, checks::peer("A", "a", a.url())});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(testing::http_get(a.port, "/status/aggregate").body, R"(["OK"])");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms) << "no wait for a deadline";
  // B, asked by A, does not ask A again: it says so.
  const auto about = nlohmann::json::parse(testing::http_get(a.port, "/status/v2/about").body);
  EXPECT_EQ(about["dependencies"][1]["status"]["result"], "OK");
}

TEST(RouterHops, ACraftedTraversalThroughACycleStopsAtTheLimit) {
  RouterOptions options;
  options.max_hops = 4;
  Service a(options), b(options);
  a.serve({checks::peer("B", "b", b.url())});
  b.serve({checks::peer("A", "a", a.url())});
  // Within the limit the walk crosses both processes, hop after hop ...
  const auto ok =
      nlohmann::json::parse(testing::http_get(a.port, "/status/traverse?dependencies=b,a,b").body);
  EXPECT_EQ(ok["dependencies"][0]["statusPath"], "a") << "ended at B's About";
  // ... beyond it, the first service refuses, and the hop counter carries across processes.
  EXPECT_THAT(testing::http_get(a.port, "/status/traverse?dependencies=b,a,b,a,b,a,b").body,
              HasSubstr("at most 4 are allowed"));
  const auto relayed = testing::http_get(a.port, "/status/traverse?dependencies=b,a,b,a", "GET",
                                         {{"X-Healthchecks-Hops", "1"}});
  EXPECT_THAT(relayed.body, HasSubstr("the traversal is 5 hops long (1 crossed, 4 to go)"));
}

}  // namespace
}  // namespace healthchecks
