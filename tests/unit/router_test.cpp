#include "healthchecks/router.hpp"

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/registry.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// statusDuration differs from run to run; everything else must match byte for byte.
std::string without_durations(const std::string& body) {
  static const std::regex duration(R"("statusDuration":[-+0-9.eE]+)");
  return std::regex_replace(body, duration, R"("statusDuration":0)");
}

About demo_about() {
  About about;
  about.id = "demo-app";
  about.name = "Demo App";
  about.description = "A demo app with \"quotes\".";
  about.owners = {"ops@example.com"};
  about.version = "0.0.1";
  about.host = "vm";
  about.project_repo = "https://example.com/repo";
  about.project_home = "https://example.com/home";
  about.logs_links = {"http://demoapp.com/logs", "http://demoapp.com/error-logs"};
  about.stats_links = {"http://demoapp.com/service-stats"};
  return about;
}

// The reference demo graph's demo-app, with checks we control.
class RouterDemo : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<Registry>(demo_about());
    registry_->add({"MySQL", "db", "internal", [] { return Status::ok("MySQL", {}); }});
    registry_->add({"Memcached", "cache", "internal", [] {
                      return Status::crit("Memcached", "Could not connect to memcache server");
                    }});
    StatusEndpoint service1("Service 1", "service-1", "external",
                            [] { return Status::ok("Service 1 check OK", {}); });
    service1.traversable = true;
    service1.traverse = [this](const TraverseRequest& request,
                               std::function<void(TraverseResult)> done) {
      last_hop_ = request;
      TraverseResult result;
      result.response.body = R"({"id":"service-1"})";
      done(result);
    };
    registry_->add(service1);
    StatusEndpoint service2("Service 2", "service-2", "external",
                            [] { return Status::ok("Service 2 check OK", {}); });
    service2.traversable = true;
    service2.traverse = [](const TraverseRequest&, std::function<void(TraverseResult)> done) {
      done(TraverseResult{"Get \"http://127.0.0.1:8082/status/traverse\": connection refused", {}});
    };
    registry_->add(service2);
    router_ = std::make_unique<Router>(*registry_);
  }

  Response get(std::string_view target) { return router_->handle("GET", target); }

  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Router> router_;
  TraverseRequest last_hop_;
};

constexpr const char* kDemoHead =
    R"({"id":"demo-app","name":"Demo App","description":"A demo app with \"quotes\".","protocol":"http","owners":["ops@example.com"],"version":"0.0.1","host":"vm","projectRepo":"https://example.com/repo","projectHome":"https://example.com/home","logsLinks":["http://demoapp.com/logs","http://demoapp.com/error-logs"],"statsLinks":["http://demoapp.com/service-stats"],"dependencies":[)";

TEST_F(RouterDemo, AmIUpIsPlainOk) {
  const auto response = get("/status/am-i-up");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(response.body, "OK");
}

TEST_F(RouterDemo, HeadIsAnsweredLikeGet) {
  const auto head = router_->handle("HEAD", "/status/am-i-up");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "OK");  // adapters drop the body and keep its length
}

TEST_F(RouterDemo, OtherMethodsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get"}) {
    const auto response = router_->handle(method, "/status/about");
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(response.header("Allow"), "GET, HEAD") << method;
    EXPECT_THAT(response.body, HasSubstr("Method not allowed"));
  }
}

TEST_F(RouterDemo, AggregateAnswersTheFirstCrit) {
  const auto response = get("/status/aggregate");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(
      response.body,
      R"(["CRIT",{"description":"Memcached","result":"CRIT","details":"Could not connect to memcache server"}])");
}

TEST_F(RouterDemo, AggregateFiltersByType) {
  EXPECT_EQ(get("/status/aggregate?type=external").body, R"(["OK"])");
  EXPECT_THAT(get("/status/aggregate?type=internal").body, HasSubstr("Memcached"));
  EXPECT_THAT(get("/status/aggregate?type=").body, HasSubstr("Memcached"));
}

TEST_F(RouterDemo, AggregateRejectsUnknownType) {
  const auto response = get("/status/aggregate?type=bogus");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(
      response.body,
      R"(["CRIT",{"description":"Invalid type","result":"CRIT","details":"Unknown check type given for aggregate check"}])");
}

TEST_F(RouterDemo, AboutHasTheReferenceShape) {
  const auto response = get("/status/about");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(
      without_durations(response.body),
      std::string(kDemoHead) +
          R"({"name":"MySQL","status":["OK"],"statusDuration":0,"statusPath":"db","type":"internal","isTraversable":false},)"
          R"({"name":"Memcached","status":["CRIT",{"description":"Memcached","result":"CRIT","details":"Could not connect to memcache server"}],"statusDuration":0,"statusPath":"cache","type":"internal","isTraversable":false},)"
          R"({"name":"Service 1","status":["OK"],"statusDuration":0,"statusPath":"service-1","type":"external","isTraversable":true},)"
          R"({"name":"Service 2","status":["OK"],"statusDuration":0,"statusPath":"service-2","type":"external","isTraversable":true}],"customData":{}})");
  const auto json = nlohmann::json::parse(response.body);
  EXPECT_TRUE(json["dependencies"][0]["statusDuration"].is_number());
}

TEST_F(RouterDemo, SlugAnswersItsCheck) {
  EXPECT_EQ(get("/status/db").body, R"(["OK"])");
  EXPECT_EQ(
      get("/status/cache").body,
      R"(["CRIT",{"description":"Memcached","result":"CRIT","details":"Could not connect to memcache server"}])");
  EXPECT_EQ(get("/status/d%62").body, R"(["OK"])") << "percent-decoded like Go's URL.Path";
}

TEST_F(RouterDemo, UnknownSlugIs404) {
  const auto response = get("/status/nope");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(
      response.body,
      R"(["CRIT",{"description":"Unknown Status endpoint","result":"CRIT","details":"Status endpoint does not exist: /status/nope"}])");
  EXPECT_EQ(get("/status/").status, 404);
  EXPECT_EQ(get("/status/db/extra").status, 404);
  EXPECT_EQ(get("/status/v2").status, 404);
}

TEST_F(RouterDemo, V2AmIUp) {
  const auto response = get("/status/v2/am-i-up");
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(response.body,
            R"({"description":"Am I Up","result":"OK","details":"The service is running"})");
}

TEST_F(RouterDemo, V2AggregateAndSlug) {
  EXPECT_EQ(
      get("/status/v2/aggregate").body,
      R"({"description":"Memcached","result":"CRIT","details":"Could not connect to memcache server"})");
  EXPECT_EQ(get("/status/v2/aggregate?type=external").body,
            R"({"description":"Aggregate Check","result":"OK","details":"All checks are OK"})");
  EXPECT_EQ(get("/status/v2/db").body, R"({"description":"MySQL","result":"OK","details":""})");
  EXPECT_EQ(get("/status/V2/db").body, R"({"description":"MySQL","result":"OK","details":""})");
}

TEST_F(RouterDemo, V2UnknownIs404) {
  const auto response = get("/status/v2/nope");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(
      response.body,
      R"({"description":"Unknown Status endpoint","result":"CRIT","details":"Status endpoint does not exist: /status/v2/nope"})");
  EXPECT_EQ(get("/status/v2/traverse").status, 404) << "the reference has no v2 traverse";
}

TEST_F(RouterDemo, V2AboutCarriesStatusObjects) {
  const auto body = without_durations(get("/status/v2/about").body);
  EXPECT_THAT(
      body,
      HasSubstr(
          R"({"name":"MySQL","status":{"description":"MySQL","result":"OK","details":""},"statusDuration":0,"statusPath":"db","type":"internal","isTraversable":false})"));
  EXPECT_THAT(
      body,
      HasSubstr(R"("status":{"description":"Service 1 check OK","result":"OK","details":""})"));
}

TEST_F(RouterDemo, V2AboutWithoutChecks) {
  const auto body = get("/status/v2/about?checkStatus=false").body;
  EXPECT_EQ(
      body,
      std::string(kDemoHead) +
          R"({"name":"MySQL","status":null,"statusDuration":0,"statusPath":"db","type":"internal","isTraversable":false},)"
          R"({"name":"Memcached","status":null,"statusDuration":0,"statusPath":"cache","type":"internal","isTraversable":false},)"
          R"({"name":"Service 1","status":null,"statusDuration":0,"statusPath":"service-1","type":"external","isTraversable":true},)"
          R"({"name":"Service 2","status":null,"statusDuration":0,"statusPath":"service-2","type":"external","isTraversable":true}],"customData":{}})");
  // Go's strconv.ParseBool: anything unparsable reads false, "1"/"true"/"T" read true.
  EXPECT_THAT(get("/status/v2/about?checkStatus=nonsense").body, HasSubstr(R"("status":null)"));
  EXPECT_THAT(get("/status/v2/about?checkStatus=1").body, HasSubstr(R"("result":"CRIT")"));
}

TEST_F(RouterDemo, TraverseWithoutPathIsAbout) {
  EXPECT_EQ(without_durations(get("/status/traverse").body),
            without_durations(get("/status/about").body));
  EXPECT_EQ(without_durations(get("/status/traverse?action=about").body),
            without_durations(get("/status/about").body));
}

TEST_F(RouterDemo, TraverseRunsOtherActionsAtTheLastHop) {
  EXPECT_THAT(get("/status/traverse?action=aggregate").body, HasSubstr("Memcached"));
  EXPECT_EQ(get("/status/traverse?action=aggregate&type=external").body, R"(["OK"])");
  const auto up = get("/status/traverse?action=am-i-up");
  EXPECT_EQ(up.body, "OK");
  EXPECT_EQ(up.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(get("/status/traverse?action=db").body, R"(["OK"])");
  EXPECT_EQ(
      get("/status/traverse?action=dance").body,
      R"(["CRIT",{"description":"Unsupported action","result":"CRIT","details":"Unsupported traversal action 'dance'"}])");
}

TEST_F(RouterDemo, TraverseErrorsAsTheReferenceWords) {
  EXPECT_EQ(
      get("/status/traverse?dependencies=nope").body,
      R"(["CRIT",{"description":"Can't traverse","result":"CRIT","details":"Status path 'nope' is not registered"}])");
  EXPECT_EQ(
      get("/status/traverse?dependencies=db").body,
      R"(["CRIT",{"description":"Can't traverse","result":"CRIT","details":"MySQL is not traversable"}])");
  const auto failed = get("/status/traverse?dependencies=service-2");
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(
      failed.body,
      R"(["CRIT",{"description":"Traverse","result":"CRIT","details":"Get \"http://127.0.0.1:8082/status/traverse\": connection refused"}])");
}

TEST_F(RouterDemo, TraversePassesTheRestOfThePathAndTheAction) {
  const auto response =
      get("/status/traverse?dependencies=service-1,mongo,x%26action%3Dy&action=aggregate");
  EXPECT_EQ(response.body, R"({"id":"service-1"})");
  EXPECT_EQ(last_hop_.path, (std::vector<std::string>{"mongo", "x&action=y"}));
  EXPECT_EQ(last_hop_.action, "aggregate");
  EXPECT_EQ(last_hop_.context.hops, 0) << "this request crossed no service before";
  EXPECT_EQ(last_hop_.context.forward_headers().front(),
            (std::pair<std::string, std::string>{"X-Healthchecks-Hops", "1"}));
  EXPECT_EQ(last_hop_.context.slug, "service-1");

  (void)get("/status/traverse?dependencies=service-1");
  EXPECT_TRUE(last_hop_.path.empty());
  EXPECT_EQ(last_hop_.action, "about");
}

TEST_F(RouterDemo, BadTargetsAre4xx) {
  EXPECT_EQ(get("/status/%zz").status, 400);
  EXPECT_EQ(get("/status/a b").status, 400);
  EXPECT_EQ(get("/status/about?x=%").status, 400);
  EXPECT_EQ(get("/elsewhere").status, 404);
  EXPECT_FALSE(router_->matches("/elsewhere"));
  EXPECT_FALSE(router_->matches("/status"));
  EXPECT_TRUE(router_->matches("/status/about"));
  EXPECT_EQ(router_->prefix(), "/status/");
}

TEST(Router, AggregateIsDeterministicWhateverFinishesFirst) {
  Registry registry;
  registry.add({"Slow", "slow", "internal", [] {
                  std::this_thread::sleep_for(100ms);
                  return Status::crit("slow one failed");
                }});
  registry.add({"Fast", "fast", "internal", [] { return Status::crit("fast one failed"); }});
  registry.add({"Warn", "warn", "internal", [] { return Status::warn("meh"); }});
  Router router(registry);
  const auto body = router.handle("GET", "/status/aggregate").body;
  EXPECT_THAT(body, HasSubstr("slow one failed")) << "registration order, not completion order";
  EXPECT_THAT(body, HasSubstr(R"("description":"Slow")")) << "description filled with the name";
}

TEST(Router, AggregateTakesTheFirstWarnWhenNoCrit) {
  Registry registry;
  registry.add({"A", "a", "internal", [] { return true; }});
  registry.add({"B", "b", "external", [] { return Status::warn("lagging"); }});
  registry.add({"C", "c", "internal", [] { return Status::warn("later"); }});
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/aggregate").body,
            R"(["WARN",{"description":"B","result":"WARN","details":"lagging"}])");
}

TEST(Router, EmptyRegistryIsOk) {
  Registry registry;
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/aggregate").body, R"(["OK"])");
  EXPECT_THAT(router.handle("GET", "/status/about").body,
              HasSubstr(R"("dependencies":[],"customData":{}})"));
}

TEST(Router, ChecksThatThrowReadCrit) {
  Registry registry;
  registry.add({"Throws", "throws", "internal",
                []() -> bool { throw std::runtime_error("connection pool exhausted"); }});
  registry.add({"Throws int", "int", "internal", []() -> bool { throw 42; }});
  registry.add(
      {"Async throws", "async", "internal",
       Check::async([](const CheckContext&, Completion) { throw std::logic_error("bad state"); })});
  registry.add(
      {"Forgets", "forgets", "internal", Check::async([](const CheckContext&, Completion) {})});
  registry.add(
      {"Nothing", "nothing", "internal", []() -> std::optional<Status> { return std::nullopt; }});
  Router router(registry);
  EXPECT_EQ(
      router.handle("GET", "/status/throws").body,
      R"(["CRIT",{"description":"Throws","result":"CRIT","details":"check threw: connection pool exhausted"}])");
  EXPECT_THAT(router.handle("GET", "/status/int").body, HasSubstr("not a std::exception"));
  EXPECT_THAT(router.handle("GET", "/status/async").body, HasSubstr("check threw: bad state"));
  EXPECT_THAT(router.handle("GET", "/status/forgets").body,
              HasSubstr("finished without reporting a status"));
  EXPECT_THAT(router.handle("GET", "/status/nothing").body, HasSubstr("returned no status"));
  EXPECT_THAT(router.handle("GET", "/status/aggregate").body,
              HasSubstr("connection pool exhausted"));
}

TEST(Router, ChecksOfOneRequestRunConcurrently) {
  constexpr int kChecks = 10;
  Registry registry;
  for (int i = 0; i < kChecks; ++i) {
    registry.add({"Sleeper " + std::to_string(i), "sleep-" + std::to_string(i), "internal", [] {
                    std::this_thread::sleep_for(200ms);
                    return true;
                  }});
  }
  registry.add(
      {"Async sleeper", "async", "internal", Check::async([](const CheckContext&, Completion done) {
         std::thread([done] {
           std::this_thread::sleep_for(200ms);
           done(Status::ok());
         }).detach();
       })});
  Router router(registry);
  for (const char* target : {"/status/aggregate", "/status/about"}) {
    const auto start = std::chrono::steady_clock::now();
    const auto response = router.handle("GET", target);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_THAT(response.body, ::testing::Not(HasSubstr("CRIT"))) << target;
    // Run one after another they would take (kChecks + 1) x 200 ms = 2.2 s.
    EXPECT_LT(took, 1000ms) << target;
  }
}

TEST(Router, AsyncHandleAnswersCachedAndStaticRequestsInline) {
  Registry registry;
  Router router(registry);
  bool answered = false;
  router.async_handle(Request{"GET", "/status/am-i-up"}, [&](Response r) {
    answered = true;
    EXPECT_EQ(r.body, "OK");
  });
  EXPECT_TRUE(answered);
}

TEST(Router, TraverseThatNeverAnswersTimesOut) {
  Registry registry;
  StatusEndpoint peer("Peer", "peer", "external", [] { return true; });
  peer.traversable = true;
  peer.traverse = [](const TraverseRequest&, std::function<void(TraverseResult)>) {};
  registry.add(peer);
  RouterOptions options;
  options.traverse_timeout = 100ms;
  Router router(registry, options);
  EXPECT_EQ(
      router.handle("GET", "/status/traverse?dependencies=peer").body,
      R"(["CRIT",{"description":"Traverse","result":"CRIT","details":"timed out after 100 ms"}])");
}

TEST(Router, TraverseCheckThatThrowsReadsCrit) {
  Registry registry;
  StatusEndpoint peer("Peer", "peer", "external", [] { return true; });
  peer.traversable = true;
  peer.traverse = [](const TraverseRequest&, std::function<void(TraverseResult)>) {
    throw std::runtime_error("no route");
  };
  registry.add(peer);
  Router router(registry);
  EXPECT_THAT(router.handle("GET", "/status/traverse?dependencies=peer").body,
              HasSubstr("traverse check threw: no route"));
}

TEST(Router, BasePathIsConfigurable) {
  Registry registry;
  RouterOptions options;
  options.base_path = "/internal/health/";
  Router router(registry, options);
  EXPECT_TRUE(router.matches("/internal/health/am-i-up"));
  EXPECT_FALSE(router.matches("/status/am-i-up"));
  EXPECT_EQ(router.prefix(), "/internal/health/");
  EXPECT_EQ(router.handle("GET", "/internal/health/am-i-up").body, "OK");
  EXPECT_THAT(router.handle("GET", "/internal/health/nope").body,
              HasSubstr("does not exist: /internal/health/nope"));
}

}  // namespace
}  // namespace healthchecks
