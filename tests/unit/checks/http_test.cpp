#include "healthchecks/checks/http.hpp"

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/http_client.hpp"
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
using ::testing::Not;
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

// The pool keeps a connection for every traversal a router lets run at once (max_traversals,
// 32): a second burst reuses the first one's connections instead of opening (over https:
// shaking hands for) new ones.
TEST(PeerCheck, KeepsAConnectionForEveryTraversalRunningAtOnce) {
  FakePeer peer;
  peer.reply({200, "application/json", R"({"id": "service-1"})", 100ms});
  PeerFixture service(peer.url());
  for (int burst = 0; burst < 2; ++burst) {
    std::vector<std::future<std::string>> answers;
    for (int i = 0; i < 32; ++i) {
      answers.push_back(std::async(std::launch::async, [&service] {
        return service.get("/status/traverse?dependencies=service-1");
      }));
    }
    for (auto& answer : answers) answer.get();
  }
  EXPECT_EQ(peer.targets().size(), 64u);
  EXPECT_LE(peer.connections(), 32) << "the second burst reuses the first one's connections";
}

// A pooled connection still carries its last request's deadline: the next request on it, once
// that deadline has passed, must wait by its own (the inline send of the head once skipped it).
TEST(PeerCheck, APooledConnectionWaitsByTheNewRequestsDeadline) {
  FakePeer peer;
  peer.reply({200, "application/json", R"(["OK"])", 50ms});
  PeerFixture service(peer.url(), 300ms);
  EXPECT_EQ(service.get("/status/service-1"), R"(["OK"])");
  std::this_thread::sleep_for(400ms);  // past the first request's deadline
  EXPECT_EQ(service.get("/status/service-1"), R"(["OK"])");
  EXPECT_EQ(peer.connections(), 1) << "the second request went on the pooled connection";
}

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
  EXPECT_THROW(checks::http("gopher://example.com/"), Error);
}

// --- Hostile peers: whatever a peer answers, the check reads a level and the service stands --

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(PeerCheckHostile, AnAnswerNestedBeyondTheLimitReadsCritAndCrashesNothing) {
  FakePeer peer;
  peer.reply({200, "application/json", R"(["CRIT",)" + nested(100000) + "]"});
  PeerFixture service(peer.url());
  EXPECT_THAT(service.get("/status/v2/service-1"),
              HasSubstr("Error decoding json response: nested deeper than 64 levels"));
  EXPECT_THAT(run_check(checks::http(peer.url() + "/status/aggregate")),
              IsStatus(Level::crit, "nested deeper than 64 levels"));
  // Within the limit, the details are read and written back, nesting and all.
  peer.reply({200, "application/json", R"(["WARN",)" + nested(60) + "]"});
  EXPECT_THAT(service.get("/status/v2/service-1"), HasSubstr("WARN - " + nested(60)));
}

TEST(PeerCheckHostile, AnswersThatLookLikeTheApiButDoNotParseNeverReadOk) {
  FakePeer peer;
  // JavaScript cuts a string inside an emoji: a lone surrogate. Go and Node read it (as U+FFFD).
  peer.reply({200, "application/json", R"(["CRIT",{"details":"disk full \ud83d"}])"});
  EXPECT_THAT(run_check(checks::http(peer.url() + "/health")),
              IsStatus(Level::crit, R"(check failed: CRIT - {"details":"disk full )"
                                    "\xEF\xBF\xBD"));
  // A raw byte that is not UTF-8: read as U+FFFD, as Go does.
  peer.reply({200, "application/json", "[\"CRIT\",{\"details\":\"bad \xff byte\"}]"});
  EXPECT_THAT(run_check(checks::http(peer.url() + "/health")),
              IsStatus(Level::crit, "bad \xEF\xBF\xBD byte"));
  // A number no double holds: Go refuses it too; CRIT naming the fault, never OK.
  peer.reply({200, "application/json", R"(["OK",{"n":1e400}])"});
  EXPECT_THAT(
      run_check(checks::http(peer.url() + "/health")),
      IsStatus(Level::crit, "Error decoding json response: number overflow parsing '1e400'"));
  peer.reply({200, "application/json", R"(["CRIT", {"details": "cut)"});
  EXPECT_THAT(run_check(checks::http(peer.url() + "/health")),
              IsStatus(Level::crit, "Error decoding json response: "));
  // What does not look like the API is judged as a plain endpoint, as before.
  peer.reply({200, "text/plain", "all good"});
  EXPECT_THAT(run_check(checks::http(peer.url() + "/health")), testing::HasLevel(Level::ok));
}

TEST(PeerCheckHostile, AnUnknownLevelReadsCritSayingWhatCame) {
  FakePeer peer;
  PeerFixture service(peer.url());
  for (const std::string body : {R"(["GOOD"])", "[1]", R"([null,{"x":1}])"}) {
    peer.reply({200, "application/json", body});
    const auto json = nlohmann::json::parse(service.get("/status/v2/service-1"));
    EXPECT_EQ(json["result"], "CRIT") << body;
    EXPECT_EQ(json["details"], "Service 1 answered an unknown level: " + body);
  }
}

TEST(PeerCheckHostile, HugeDetailsAreCutToAFewKilobytes) {
  FakePeer peer;
  peer.reply({200, "application/json",
              R"(["CRIT",{"details":")" + std::string(900 * 1024, 'x') + R"("}])"});
  PeerFixture service(peer.url());
  const auto json = nlohmann::json::parse(service.get("/status/v2/service-1"));
  const std::string details = json["details"];
  EXPECT_LT(details.size(), 4096u + 200u);
  EXPECT_THAT(details, HasSubstr("... (cut: "));
  EXPECT_THAT(details, HasSubstr("bytes in all)"));
  EXPECT_THAT(service.get("/status/aggregate").size(), ::testing::Lt(4096u + 300u));
}

TEST(PeerCheckHostile, AnInterimAnswerIsSkippedAndNeverServesTheNextCaller) {
  FakePeer peer;
  PeerFixture service(peer.url());
  const std::string about = R"({"id":"downstream"})";
  peer.reply(FakePeer::Reply{});
  FakePeer::Reply interim;
  interim.raw =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(about.size()) + "\r\n\r\n" + about;
  peer.reply(interim);
  EXPECT_EQ(service.get("/status/traverse?dependencies=service-1"), about);
  EXPECT_EQ(service.get("/status/traverse?dependencies=service-1"), about)
      << "the pooled connection carried no leftover answer";
}

TEST(PeerCheckHostile, AConnectionWithBytesAfterTheAnswerIsNotReused) {
  FakePeer peer;
  PeerFixture service(peer.url());
  FakePeer::Reply extra;
  extra.raw =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 6\r\n\r\n"
      "[\"OK\"]HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  peer.reply(extra);
  EXPECT_EQ(service.get("/status/service-1"), R"(["OK"])");
  peer.reply({200, "application/json", R"(["WARN",{"details":"second"}])"});
  EXPECT_THAT(service.get("/status/service-1"), HasSubstr("second"));
  EXPECT_EQ(peer.connections(), 2) << "a fresh connection for the second call";
}

TEST(PeerTraverseHostile, APeersStatusAndContentTypeAreNeverRelayed) {
  FakePeer peer;
  PeerFixture service(peer.url());
  peer.reply({200, "text/html", "<script>alert(1)</script>"});
  const auto html = service.router->handle("GET", "/status/traverse?dependencies=service-1");
  EXPECT_EQ(html.status, 200);
  EXPECT_EQ(html.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(nlohmann::json::parse(html.body)[1]["details"],
            "Service 1 answered HTTP 200 (text/html), not valid JSON: <script>alert(1)</script>");
  EXPECT_THAT(html.body, Not(HasSubstr("<script>"))) << "escaped, as JSON";
  EXPECT_THAT(html.body, HasSubstr(R"(\u003cscript\u003e)"));
  // am-i-up's plain "OK" is the one text answer relayed as text.
  peer.reply({200, "text/plain", "OK"});
  const auto up =
      service.router->handle("GET", "/status/traverse?dependencies=service-1&action=am-i-up");
  EXPECT_EQ(up.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(up.body, "OK");
  peer.reply({200, "text/plain", "DOWN"});
  EXPECT_THAT(service.get("/status/traverse?dependencies=service-1&action=am-i-up"),
              HasSubstr(R"(Service 1 answered HTTP 200 (text/plain), not valid JSON: DOWN)"));
  peer.reply({200, "application/json", nested(100000)});
  EXPECT_THAT(service.get("/status/traverse?dependencies=service-1"),
              HasSubstr("nested deeper than 64 levels"));
}

TEST(PeerTraverseHostile, ARelayedStatusArrayTakesOurStatusCodes) {
  FakePeer peer;
  peer.reply({200, "application/json", R"(["CRIT",{"details":"down"}])"});
  Registry registry;
  registry.add(checks::peer("Service 1", "service-1", peer.url()));
  RouterOptions options;
  options.status_codes = {{Level::crit, 503}};
  Router router(registry, options);
  const auto answer =
      router.handle("GET", "/status/traverse?dependencies=service-1&action=aggregate");
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.body, R"(["CRIT",{"details":"down"}])");
}

TEST(PeerTraverseHostile, ARelayedAnswerOverTheLimitReadsCrit) {
  FakePeer peer;
  peer.reply({200, "application/json", "\"" + std::string(300 * 1024, 'x') + "\""});
  Registry registry;
  registry.add(checks::peer("Service 1", "service-1", peer.url()));
  RouterOptions options;
  options.max_traverse_body = 256 * 1024;
  Router router(registry, options);
  EXPECT_THAT(router.handle("GET", "/status/traverse?dependencies=service-1").body,
              HasSubstr("body limit exceeded"));
  peer.reply({200, "application/json", "\"" + std::string(200 * 1024, 'x') + "\""});
  EXPECT_EQ(router.handle("GET", "/status/traverse?dependencies=service-1").body.size(),
            200u * 1024 + 2);
}

TEST(PeerTraverseHostile, TraversalsInFlightAreBounded) {
  FakePeer peer;
  peer.reply({200, "application/json", R"({"id":"slow"})", 400ms});
  Registry registry;
  registry.add(checks::peer("Service 1", "service-1", peer.url()));
  RouterOptions options;
  options.max_traversals = 1;
  Router router(registry, options);
  std::promise<Response> first;
  router.async_handle(Request("GET", "/status/traverse?dependencies=service-1"),
                      [&first](Response r) { first.set_value(std::move(r)); });
  const auto refused = router.handle("GET", "/status/traverse?dependencies=service-1");
  EXPECT_EQ(refused.status, 503);
  EXPECT_THAT(refused.body, HasSubstr("too many traversals in flight (at most 1)"));
  EXPECT_EQ(first.get_future().get().body, R"({"id":"slow"})");
  EXPECT_EQ(router.handle("GET", "/status/traverse?dependencies=service-1").body,
            R"({"id":"slow"})")
      << "the slot is free again";
}

// --- What a URL's messages say --------------------------------------------------------------

std::string url_error(const std::string& url) {
  try {
    (void)checks::http(url);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(HttpCheckUrl, AForgottenSchemeIsNamedWithTheUrlToWrite) {
  EXPECT_EQ(url_error("billing:8080/health"),
            "check: 'billing:8080/health': the scheme is missing; write "
            "http://billing:8080/health");
  EXPECT_THAT(url_error("billing:8080/health"), Not(HasSubstr("TLS")));
  EXPECT_THAT(url_error("127.0.0.1:8080"),
              HasSubstr("the scheme is missing; write http://127.0.0.1:8080"));
  EXPECT_THAT(url_error("billing"), HasSubstr("the scheme is missing; write http://billing"));
  EXPECT_THAT(url_error("//billing:8080"),
              HasSubstr("the scheme is missing; write http://billing:8080"));
  EXPECT_THAT(url_error("/status/aggregate"),
              HasSubstr("'/status/aggregate' is a path, not a URL: expected "
                        "http://host:port/status/aggregate"));
  EXPECT_EQ(url_error(""), "check: the URL is empty; expected http://host:port[/path]");
  // https is taken; another scheme is named.
  EXPECT_EQ(url_error("https://billing:8443/health"), "no error");
  EXPECT_EQ(url_error("ftp://billing/x"),
            "check: 'ftp://billing/x': scheme 'ftp' is not supported; only http:// and "
            "https:// are");
  EXPECT_EQ(url_error("HTTP://127.0.0.1:1/x"), "no error") << "schemes are case-insensitive";
}

TEST(HttpCheckUrl, HttpsTakesPort443AndKeepsItsScheme) {
  const auto url = parse_http_url("https://billing/api/");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_TRUE(url.https());
  EXPECT_EQ(url.port, "443");
  EXPECT_EQ(url.base_path, "/api");
  EXPECT_EQ(url.text, "https://billing/api");
  EXPECT_EQ(parse_http_url("HTTPS://billing:8443").port, "8443");
  EXPECT_EQ(parse_http_url("http://billing").scheme, "http");
  EXPECT_EQ(parse_http_url("http://billing").port, "80");
}

TEST(HttpCheckUrl, APortOutOfRangeIsRejectedNotWrapped) {
  EXPECT_EQ(url_error("http://127.0.0.1:99999/health"),
            "check: 'http://127.0.0.1:99999/health': port 99999 is out of range (1-65535)");
  EXPECT_THAT(url_error("http://127.0.0.1:0/"), HasSubstr("port 0 is out of range (1-65535)"));
  EXPECT_THAT(url_error("http://127.0.0.1:65536"), HasSubstr("port 65536 is out of range"));
  EXPECT_THAT(url_error("http://127.0.0.1:123456789012345678901234567890"),
              HasSubstr("is out of range (1-65535)"));
  EXPECT_THROW(checks::peer_check("http://127.0.0.1:99999"), Error);
  EXPECT_THROW(checks::peer_traverse("http://127.0.0.1:99999"), Error);
  EXPECT_EQ(url_error("http://127.0.0.1:65535/"), "no error");
  EXPECT_EQ(url_error("http://127.0.0.1:/"), "no error") << "an empty port is the default, 80";
  // Leading zeros are the same port: the check connects to 34463 for neither.
  FakePeer peer;
  peer.reply({200, "text/plain", "fine"});
  const std::string padded = "http://127.0.0.1:00" + std::to_string(peer.port()) + "/health";
  EXPECT_THAT(run_check(checks::http(padded)), IsStatus(Level::ok, ": 200 in"));
}

TEST(HttpCheckUrl, AUserinfoPasswordIsNeverShown) {
  const auto port = std::to_string(testing::free_port());
  const auto status = run_check(checks::http("http://user:hunter22@127.0.0.1:" + port + "/health"));
  EXPECT_EQ(status.details,
            "GET http://user:***@127.0.0.1:" + port + "/health: connect: Connection refused");
  EXPECT_THAT(url_error("ftp://user:hunter22@billing/"),
              ::testing::AllOf(HasSubstr("'ftp://user:***@billing/'"), Not(HasSubstr("hunter22"))));
  // An https URL keeps its password masked in what the check says.
  const auto https = run_check(checks::http("https://user:hunter22@127.0.0.1:" + port + "/x"));
  EXPECT_EQ(https.details,
            "GET https://user:***@127.0.0.1:" + port + "/x: connect: Connection refused");
  EXPECT_THAT(url_error("user:hunter22@billing:8080/"),
              ::testing::AllOf(HasSubstr("write http://user:***@billing:8080/"),
                               Not(HasSubstr("hunter22"))));
  EXPECT_THAT(url_error("http://user:hunter22@/x"), Not(HasSubstr("hunter22")));
  EXPECT_THAT([] { checks::http("http://user:hunter22@127.0.0.1:1/", expecting({}, "", "POST")); },
              ::testing::ThrowsMessage<Error>(
                  ::testing::AllOf(HasSubstr("http http://user:***@127.0.0.1:1: method 'POST'"),
                                   Not(HasSubstr("hunter22")))));
  // A user without a password is shown as it is.
  const auto plain = run_check(checks::http("http://user@127.0.0.1:" + port + "/health"));
  EXPECT_THAT(plain.details, HasSubstr("GET http://user@127.0.0.1:" + port + "/health: connect"));
}

}  // namespace
}  // namespace healthchecks
