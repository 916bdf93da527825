// The router against hostile and pathological requests: limits with clear answers, the hop
// protocol that stops cycles and passes deadlines on, and access control.
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
#include "support/servers.hpp"
#include "support/service.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

using testing::Service;

Response get(const Router& router, std::string_view target, const Headers* headers = nullptr) {
  return router.handle(Request("GET", target, headers));
}

// --- Limits ------------------------------------------------------------------------------------

TEST(Limits, ALongTargetIs414) {
  Registry registry;
  Router router(registry);
  const auto response = get(router, "/status/about?x=" + std::string(3000, 'a'));
  EXPECT_EQ(response.status, 414);
  EXPECT_THAT(response.body, HasSubstr("the request target is 3016 bytes long; at most 2048"));
}

TEST(Limits, TooManyQueryParametersIs400) {
  Registry registry;
  Router router(registry);
  std::string target = "/status/aggregate?";
  for (int i = 0; i < 20; ++i) target += "p" + std::to_string(i) + "=1&";
  const auto response = get(router, target);
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("21 query parameters; at most 16 are accepted"));
}

TEST(Limits, AmIUpNeedsNoParsing) {
  Registry registry;
  RouterOptions options;
  options.max_target_length = 10;  // shorter than any real target
  Router router(registry, options);
  EXPECT_EQ(get(router, "/status/am-i-up").body, "OK");
  EXPECT_EQ(get(router, "/status/about").status, 414);
}

// --- Hops and deadlines ----------------------------------------------------------------------

TEST(Hops, ARequestThatCrossedTooManyServicesStops) {
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

TEST(Hops, ATraversalPathLongerThanTheLimitStops) {
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

TEST(Hops, TheCallersDeadlineBoundsItsOwnWait) {
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

TEST(Hops, ACycleOfPeersAnswersAtOnceInsteadOfWaitingForItself) {
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

TEST(Hops, ACraftedTraversalThroughACycleStopsAtTheLimit) {
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

// --- Caller mistakes ---------------------------------------------------------------------------

TEST(CallerMistakes, WithStatusCodesAreNeverReadAsTheServiceBeingDown) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return Status::crit("down"); }});
  RouterOptions options;
  options.status_codes = {{Level::crit, 503}};
  Router router(registry, options);
  EXPECT_EQ(get(router, "/status/aggregate").status, 503) << "the real CRIT";
  const auto typo = get(router, "/status/aggregate?type=bogus");
  EXPECT_EQ(typo.status, 400);
  EXPECT_THAT(typo.body, HasSubstr(R"("description":"Invalid type")"));
  EXPECT_EQ(get(router, "/status/nope").status, 404);
  EXPECT_EQ(get(router, "/status/v2/aggregate?type=bogus").status, 400);

  Registry plain_registry;
  Router plain(plain_registry);
  EXPECT_EQ(get(plain, "/status/aggregate?type=bogus").status, 200) << "the reference's code";
}

TEST(CallerMistakes, AMalformedTargetIsExplainedInTheCallersTerms) {
  Registry registry;
  Router router(registry);
  const auto bad_escape = get(router, "/status/%zz");
  EXPECT_EQ(bad_escape.status, 400);
  EXPECT_THAT(bad_escape.body,
              HasSubstr("'%' at byte 9 does not start a percent-encoded byte (two hex digits"));
  EXPECT_THAT(bad_escape.body, Not(HasSubstr("leftover")));
  EXPECT_THAT(get(router, "/status/a b").body, HasSubstr("byte 10 (0x20) must be percent-encoded"));
}

// --- Access control ---------------------------------------------------------------------------

About described() {
  About about;
  about.id = "orders";
  about.name = "Orders";
  about.description = "Takes orders";
  about.owners = {"ops@example.com"};
  about.version = "4.2.0";
  about.project_repo = "https://git.example.com/orders";
  about.logs_links = {"https://logs.example.com/orders"};
  about.custom_data["secret"] = "internal detail";
  return about;
}

RouterOptions token_required() {
  RouterOptions options;
  options.allow_details = [](const Request& request) {
    return request.header("Authorization") == std::optional<std::string_view>("Bearer letmein");
  };
  return options;
}

TEST(Access, WithoutPermissionLevelsOnly) {
  Registry registry(described());
  registry.add({"MySQL", "db", "internal",
                [] { return Status::crit("password for user orders is wrong"); }});
  Router router(registry, token_required());

  EXPECT_EQ(get(router, "/status/am-i-up").body, "OK") << "am-i-up stays public";
  EXPECT_EQ(get(router, "/status/aggregate").body,
            R"(["CRIT",{"description":"","result":"CRIT","details":""}])")
      << "the level stays public, the details do not";
  EXPECT_EQ(get(router, "/status/v2/db").body,
            R"({"description":"","result":"CRIT","details":""})");
  const auto about = get(router, "/status/about").body;
  EXPECT_THAT(
      about,
      StartsWith(
          R"({"id":"orders","name":"Orders","description":"N/A","protocol":"http","owners":[],"version":"N/A","host":"N/A","projectRepo":"N/A","projectHome":"N/A","logsLinks":[],"statsLinks":[],"dependencies":[{"name":"MySQL","status":["CRIT",{"description":"","result":"CRIT","details":""}])"));
  EXPECT_THAT(about, HasSubstr(R"("customData":{}})"));
  EXPECT_THAT(about, Not(HasSubstr("password")));
  EXPECT_THAT(about, Not(HasSubstr("ops@example.com")));
}

TEST(Access, WithPermissionEverything) {
  Registry registry(described());
  registry.add({"MySQL", "db", "internal",
                [] { return Status::crit("password for user orders is wrong"); }});
  Router router(registry, token_required());
  const Fields token{{"Authorization", "Bearer letmein"}};
  EXPECT_THAT(get(router, "/status/aggregate", &token).body, HasSubstr("password for user orders"));
  const auto about = get(router, "/status/about", &token).body;
  EXPECT_THAT(about, HasSubstr("ops@example.com"));
  EXPECT_THAT(about, HasSubstr(R"("customData":{"secret":"internal detail"})"));
  const Fields wrong{{"Authorization", "Bearer guess"}};
  EXPECT_THAT(get(router, "/status/aggregate", &wrong).body, Not(HasSubstr("password")));
}

TEST(Access, TraversalNeedsPermissionAndNeverPassesTheCallersCredentialsOn) {
  testing::FakePeer peer;
  peer.reply({200, "application/json", R"({"id":"downstream"})"});
  Registry registry(described());
  checks::HttpOptions credentials;
  credentials.headers = {{"Authorization", "Bearer for-the-peer"}};
  registry.add(checks::peer("Peer", "peer", peer.url(), credentials));
  Router router(registry, token_required());
  const auto refused = get(router, "/status/traverse?dependencies=peer");
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("traversing through this service needs permission"));
  EXPECT_TRUE(peer.targets().empty()) << "no request was made on the caller's behalf";
  EXPECT_THAT(get(router, "/status/traverse").body, HasSubstr(R"("owners":[])"))
      << "redacted About";

  const Fields caller{{"Authorization", "Bearer letmein"},
                      {"Cookie", "session=caller"},
                      {"X-Custom", "caller"},
                      {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                      {"tracestate", "congo=t61rcWkgMzE"}};
  EXPECT_EQ(get(router, "/status/traverse?dependencies=peer", &caller).body,
            R"({"id":"downstream"})");
  EXPECT_EQ(peer.last_header("Authorization"), "Bearer for-the-peer")
      << "the service's own credentials, never the caller's";
  EXPECT_EQ(peer.last_header("Cookie"), "");
  EXPECT_EQ(peer.last_header("X-Custom"), "");
  EXPECT_EQ(peer.last_header("traceparent"),
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(peer.last_header("tracestate"), "congo=t61rcWkgMzE");
  EXPECT_EQ(peer.last_header("X-Healthchecks-Hops"), "1");
  EXPECT_FALSE(peer.last_header("X-Healthchecks-Deadline-Ms").empty());

  // A malformed trace context is dropped, not passed on.
  const Fields bad_trace{{"Authorization", "Bearer letmein"}, {"traceparent", "00-zz-\r-01"}};
  (void)get(router, "/status/traverse?dependencies=peer", &bad_trace);
  EXPECT_EQ(peer.last_header("traceparent"), "");
  // The check sends the configured credentials too.
  (void)get(router, "/status/peer");
  EXPECT_EQ(peer.last_header("Authorization"), "Bearer for-the-peer");
  EXPECT_EQ(peer.targets().back(), "/status/aggregate");
}

TEST(Access, RedactForEverybodyAndHooksThatThrowGrantNothing) {
  Registry registry(described());
  RouterOptions options;
  options.redact = true;
  Router everybody(registry, options);
  EXPECT_THAT(get(everybody, "/status/about").body, HasSubstr(R"("owners":[])"));

  Registry other(described());
  RouterOptions throwing;
  throwing.allow_details = [](const Request&) -> bool { throw std::runtime_error("hook bug"); };
  Router router(other, throwing);
  EXPECT_THAT(get(router, "/status/about").body, HasSubstr(R"("owners":[])"));
}

}  // namespace
}  // namespace healthchecks
