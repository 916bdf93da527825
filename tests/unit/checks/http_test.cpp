#include "healthchecks/checks/http.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "support/fake_peer.hpp"

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

TEST(PeerTraverse, PassesTheAnswerBackUnchanged) {
  FakePeer peer;
  peer.reply({404, "application/json; charset=utf-8", R"(["CRIT",{"x":1}])"});
  PeerFixture service(peer.url());
  const auto response = service.router->handle("GET", "/status/traverse?dependencies=service-1");
  EXPECT_EQ(response.status, 404);
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
