#include "healthchecks/checks/http.hpp"

#include <atomic>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "support/check_runner.hpp"
#include "support/fake_peer.hpp"
#include "support/matchers.hpp"
#include "support/servers.hpp"

namespace healthchecks {
namespace {

using testing::FakePeer;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// A registry with one peer dependency, answered through the router as a client would see it.
struct PeerFixture {
  explicit PeerFixture(const std::string& url, std::chrono::milliseconds timeout = 2000ms) {
    auto endpoint = checks::peer("Service 1", "service-1", url);
    endpoint.timeout = timeout;
    registry.add(endpoint);
    router = std::make_unique<Router>(registry);
  }
  std::string get(const std::string& target) { return router->handle("GET", target).body; }
  Registry registry;
  std::unique_ptr<Router> router;
};

TEST(PeerCheck, OkReadsOk) {
  FakePeer peer;
  peer.reply({200, "application/json", R"(["OK"])"});
  PeerFixture service(peer.url());
  EXPECT_EQ(service.get("/status/service-1"), R"(["OK"])");
  EXPECT_EQ(service.get("/status/v2/service-1"),
            R"({"description":"Service 1 check OK","result":"OK","details":""})");
  EXPECT_EQ(peer.targets().back(), "/status/aggregate");
}

TEST(PeerCheck, WarnAndCritCarryTheDownstreamDetails) {
  FakePeer peer;
  peer.reply({200, "application/json",
              R"(["CRIT",{"description":"Mongo","result":"CRIT","details":"down <now>"}])"});
  PeerFixture service(peer.url());
  EXPECT_EQ(
      service.get("/status/service-1"),
      R"(["CRIT",{"description":"Service 1","result":"CRIT","details":"Service 1 check failed: CRIT - {\"description\":\"Mongo\",\"details\":\"down \\u003cnow\\u003e\",\"result\":\"CRIT\"}"}])");
  peer.reply({200, "application/json",
              R"(["WARN",{"description":"Disk","result":"WARN","details":"80%"}])"});
  EXPECT_THAT(service.get("/status/service-1"), HasSubstr(R"(["WARN",)"));
  EXPECT_THAT(service.get("/status/service-1"), HasSubstr("Service 1 check failed: WARN - "));
}

TEST(PeerCheck, Non200IsCritWithCodeAndBody) {
  FakePeer peer;
  peer.reply({503, "text/plain", "overloaded"});
  PeerFixture service(peer.url());
  EXPECT_THAT(service.get("/status/service-1"),
              HasSubstr(R"("details":"Invalid response. Code: 503, Body: overloaded")"));
}

TEST(PeerCheck, UnparsableAnswerIsCrit) {
  FakePeer peer;
  peer.reply({200, "text/html", "<html>hello</html>"});
  PeerFixture service(peer.url());
  EXPECT_THAT(service.get("/status/service-1"), HasSubstr("Error decoding json response"));
  peer.reply({200, "application/json", "[]"});
  EXPECT_THAT(service.get("/status/service-1"), HasSubstr("Error decoding json response"));
  peer.reply({200, "application/json", R"(["CRIT"])"});
  EXPECT_THAT(service.get("/status/service-1"), HasSubstr("Error details missing"));
}

TEST(PeerCheck, NoAnswerIsCritSayingWhy) {
  unsigned short closed_port;
  {
    FakePeer gone;
    closed_port = gone.port();
  }
  PeerFixture service("http://127.0.0.1:" + std::to_string(closed_port));
  EXPECT_THAT(service.get("/status/service-1"),
              HasSubstr("GET http://127.0.0.1:" + std::to_string(closed_port) +
                        "/status/aggregate: connect: Connection refused"));
}

TEST(PeerCheck, ASlowPeerTimesOutAtTheDeadline) {
  FakePeer peer;
  peer.reply({200, "application/json", R"(["OK"])", 1000ms});
  PeerFixture service(peer.url(), 200ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(service.get("/status/service-1"), HasSubstr("timed out after 200 ms"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
}

TEST(PeerCheck, ReusesOneConnection) {
  FakePeer peer;
  peer.reply({200, "application/json", R"(["OK"])"});
  PeerFixture service(peer.url());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(service.get("/status/service-1"), R"(["OK"])");
  EXPECT_EQ(peer.targets().size(), 20u);
  EXPECT_EQ(peer.connections(), 1) << "polling must not open a socket per call";
}

TEST(PeerCheck, RetriesAConnectionThePeerClosed) {
  FakePeer peer;
  FakePeer::Reply reply{200, "application/json", R"(["OK"])"};
  reply.drop = true;  // says keep-alive, closes anyway
  peer.reply(reply);
  PeerFixture service(peer.url());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(service.get("/status/service-1"), R"(["OK"])") << i;
  peer.reply({200, "application/json", R"(["OK"])", 0ms, /*close=*/true});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(service.get("/status/service-1"), R"(["OK"])") << i;
}

TEST(PeerCheck, KeepsThePathPrefixOfTheBaseUrl) {
  FakePeer peer;
  peer.reply({200, "application/json", R"(["OK"])"});
  PeerFixture service(peer.url() + "/service-one/");
  EXPECT_EQ(service.get("/status/service-1"), R"(["OK"])");
  EXPECT_EQ(peer.targets().back(), "/service-one/status/aggregate");
}

TEST(PeerCheck, RejectsUrlsItCannotUse) {
  EXPECT_THROW(checks::peer_check("https://example.com"), Error);
  EXPECT_THROW(checks::peer_check("ftp://example.com"), Error);
  EXPECT_THROW(checks::peer_check("127.0.0.1:8080"), Error);
  EXPECT_THAT([] { checks::peer_check("not a url"); },
              ::testing::ThrowsMessage<Error>(HasSubstr("'not a url'")));
}

TEST(PeerTraverse, EncodesEveryParameter) {
  FakePeer peer;
  peer.reply({200, "application/json", R"({"id":"deep"})"});
  PeerFixture service(peer.url());
  EXPECT_EQ(service.get("/status/traverse?dependencies=service-1,a,x%26action%3Dy"),
            R"({"id":"deep"})");
  EXPECT_EQ(peer.targets().back(), "/status/traverse?action=about&dependencies=a,x%26action%3Dy");
  EXPECT_EQ(service.get("/status/traverse?dependencies=service-1&action=aggregate"),
            R"({"id":"deep"})");
  EXPECT_EQ(peer.targets().back(), "/status/traverse?action=aggregate");
}

TEST(PeerTraverse, PassesTheBodyBackUnchangedUnderItsOwnStatusAndType) {
  FakePeer peer;
  peer.reply({404, "application/json", R"(["CRIT",{"x":1}])"});
  PeerFixture service(peer.url());
  const auto response = service.router->handle("GET", "/status/traverse?dependencies=service-1");
  EXPECT_EQ(response.status, 200) << "the peer's status is not ours to relay";
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(response.body, R"(["CRIT",{"x":1}])");
}

TEST(PeerTraverse, ErrorsReadCritTraverse) {
  unsigned short closed_port;
  {
    FakePeer gone;
    closed_port = gone.port();
  }
  PeerFixture service("http://127.0.0.1:" + std::to_string(closed_port));
  EXPECT_EQ(
      service.get("/status/traverse?dependencies=service-1"),
      R"(["CRIT",{"description":"Traverse","result":"CRIT","details":"GET http://127.0.0.1:)" +
          std::to_string(closed_port) + R"(/status/traverse: connect: Connection refused"}])");
}

}  // namespace
}  // namespace healthchecks

// --- http(): any URL, with detection of the Health Checks API ---------------------------------

namespace healthchecks {
namespace {

using testing::IsStatus;
using testing::run_check;

// A service speaking the API, served by the library's own embedded server.
struct ApiService {
  explicit ApiService(RouterOptions options = {}) {
    registry.add({"Database", "db", "internal", [this] {
                    return Status{level.load(), "", "level set by test"};
                  }});
    router = std::make_unique<Router>(registry, options);
    server = std::make_unique<Server>(*router, ServerOptions{"127.0.0.1", 0});
    server->start();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
  std::atomic<Level> level{Level::ok};
  Registry registry;
  std::unique_ptr<Router> router;
  std::unique_ptr<Server> server;
};

checks::HttpOptions expecting(std::vector<int> codes, std::string body = {},
                              std::string method = "GET") {
  checks::HttpOptions options;
  options.expect_status = std::move(codes);
  options.body_contains = std::move(body);
  options.method = std::move(method);
  return options;
}

TEST(HttpCheck, AServiceRootIsReadByItsAggregate) {
  ApiService service;
  EXPECT_EQ(run_check(checks::http(service.url())), Status::ok("Checked check OK", ""));
  service.level = Level::crit;
  EXPECT_THAT(run_check(checks::http(service.url())),
              IsStatus(Level::crit, R"(Checked check failed: CRIT - {"description":"Database")"));
}

TEST(HttpCheck, DetectsTheApiAtAnyPath) {
  ApiService service;
  service.level = Level::warn;
  EXPECT_THAT(run_check(checks::http(service.url() + "/status/aggregate")),
              IsStatus(Level::warn, "Checked check failed: WARN - "));
  EXPECT_THAT(run_check(checks::http(service.url() + "/status/db")),
              testing::HasLevel(Level::warn));
}

TEST(HttpCheck, ReadsAPeersStatusArrayWhateverItsStatusCode) {
  RouterOptions options;
  options.status_codes = {{Level::warn, 429}, {Level::crit, 503}};
  ApiService service(options);
  service.level = Level::warn;
  EXPECT_THAT(run_check(checks::http(service.url())), IsStatus(Level::warn, "check failed: WARN"));
}

TEST(HttpCheck, PlainEndpointsAreJudgedByStatusAndBody) {
  ApiService service;
  const auto up = service.url() + "/status/am-i-up";
  EXPECT_THAT(run_check(checks::http(up)), IsStatus(Level::ok, "GET " + up + ": 200 in "));
  EXPECT_THAT(run_check(checks::http(up, expecting({}, "OK"))), testing::HasLevel(Level::ok));
  EXPECT_THAT(run_check(checks::http(up, expecting({}, "", "HEAD"))),
              IsStatus(Level::ok, "HEAD " + up + ": 200 in "));
  EXPECT_THAT(run_check(checks::http(up, expecting({}, "ready"))),
              IsStatus(Level::crit, "answered 200 but the body does not contain \"ready\": OK"));

  const auto other = service.url() + "/metrics";  // not the router's: the server answers 404
  EXPECT_THAT(run_check(checks::http(other)),
              IsStatus(Level::crit, "GET " + other + " answered 404 (expected 2xx): Not Found"));
  EXPECT_THAT(run_check(checks::http(other, expecting({404, 410}))), testing::HasLevel(Level::ok));
  EXPECT_THAT(run_check(checks::http(other, expecting({200, 204}))),
              IsStatus(Level::crit, "answered 404 (expected 200 or 204)"));
}

TEST(HttpCheck, ARootWithoutTheApiFallsBackToTheRoot) {
  testing::FakePeer site;
  site.reply({200, "text/html", "<h1>welcome</h1>"});
  site.reply_for("/status/aggregate", {404, "text/plain", "no such page"});
  EXPECT_THAT(run_check(checks::http(site.url())),
              IsStatus(Level::ok, "GET " + site.url() + "/: 200 in "));
  EXPECT_EQ(site.targets(), (std::vector<std::string>{"/status/aggregate", "/"}));
}

TEST(HttpCheck, NoAnswerIsCritNamingTheUrl) {
  const auto url = "http://127.0.0.1:" + std::to_string(testing::free_port()) + "/health";
  EXPECT_THAT(run_check(checks::http(url)),
              IsStatus(Level::crit, "GET " + url + ": connect: Connection refused"));
}

TEST(HttpCheck, RejectsWhatItCannotDo) {
  EXPECT_THROW(checks::http("http://127.0.0.1:1/x", expecting({}, "", "POST")), Error);
  EXPECT_THROW(checks::http("http://127.0.0.1:1/x", expecting({}, "ok", "HEAD")), Error);
  EXPECT_THROW(checks::http("https://example.com/"), Error);
}

}  // namespace
}  // namespace healthchecks
