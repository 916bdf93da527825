// The endpoints as a client sees them through each adapter, over a real loopback socket: one
// suite of cases, run for every adapter this build has (tests/support/served_router.hpp). The
// adapter must carry the request (method, raw target with its query, header fields, client
// address) to the router and its answer (status, content type, extra headers, body) back.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/access.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "support/http_client.hpp"
#include "support/served_router.hpp"

namespace healthchecks {
namespace {

using testing::Adapter;
using ::testing::HasSubstr;
using testing::http_get;
using testing::HttpConnection;
using testing::HttpReply;
using ::testing::Not;

class AdapterEndpoints : public ::testing::TestWithParam<Adapter> {
 protected:
  // A service with a healthy database and a failing cache, served through the adapter.
  void serve(RouterOptions options = {}) {
    registry_.add({"MySQL", "db", "internal", [] { return true; }});
    registry_.add({"Redis", "cache", "external", [] { return Status::crit("replica lag"); }});
    router_ = std::make_unique<Router>(registry_, std::move(options));
    served_ = GetParam().serve(*router_);
  }
  HttpReply get(const std::string& target, const std::string& method = "GET",
                const std::map<std::string, std::string>& headers = {}) {
    return http_get(served_->port(), target, method, headers);
  }
  // A body as it compares: JSON without the durations, which differ from one run to the next.
  static std::string comparable(const std::string& body) {
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded()) return body;
    const std::function<void(nlohmann::json&)> strip = [&strip](nlohmann::json& value) {
      if (value.is_object()) value.erase("statusDuration");
      if (value.is_structured()) {
        for (auto& item : value) strip(item);
      }
    };
    strip(json);
    return json.dump();
  }
  // What the router answers the same GET directly: the adapter must not change it.
  Response direct(const std::string& target) const { return router_->handle("GET", target); }
  void expect_as_the_router_answers(const std::string& target) {
    SCOPED_TRACE(target);
    const auto reply = get(target);
    const auto answer = direct(target);
    EXPECT_EQ(reply.status, answer.status);
    EXPECT_EQ(reply.header("content-type"), answer.content_type);
    EXPECT_EQ(comparable(reply.body), comparable(answer.body));
    for (const auto& [name, value] : answer.headers) {
      std::string lower = name;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(reply.header(lower), value) << name;
    }
  }

  Registry registry_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<testing::ServedRouter> served_;
};

TEST_P(AdapterEndpoints, AmIUp) {
  serve();
  const auto reply = get("/status/am-i-up");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "OK");
  EXPECT_EQ(reply.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(reply.header("content-length"), "2");
  EXPECT_FALSE(reply.header("date").empty());
}

TEST_P(AdapterEndpoints, AggregateAndItsQuery) {
  serve();
  EXPECT_THAT(get("/status/aggregate").body, ::testing::StartsWith(R"(["CRIT",)"));
  // The query reaches the router: only the internal dependency, which is fine.
  EXPECT_EQ(get("/status/aggregate?type=internal").body, R"(["OK"])");
  expect_as_the_router_answers("/status/aggregate?type=external");
}

TEST_P(AdapterEndpoints, AboutAndEachDependency) {
  serve();
  expect_as_the_router_answers("/status/about");
  const auto db = get("/status/db");
  EXPECT_EQ(db.status, 200);
  EXPECT_EQ(db.body, R"(["OK"])");
  EXPECT_EQ(db.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(db.header("cache-control"), "no-cache");
  EXPECT_EQ(db.header("content-length"), "6");
  EXPECT_THAT(get("/status/cache").body, HasSubstr("replica lag"));
}

TEST_P(AdapterEndpoints, TheV2VariantTraverseAndErrorsAreTheRoutersAnswers) {
  serve();
  for (const char* target : {"/status/v2/aggregate", "/status/v2/db", "/status/v2/about",
                             "/status/traverse", "/status/traverse?dependencies=nope",
                             "/status/nope", "/status/d%62", "/status/aggregate?type=%zz"}) {
    expect_as_the_router_answers(target);
  }
  EXPECT_EQ(get("/status/nope").status, 404);
}

TEST_P(AdapterEndpoints, LeavesOtherPathsToTheHost) {
  serve();
  const auto hello = get("/hello");
  EXPECT_EQ(hello.status, 200);
  EXPECT_EQ(hello.body, "hello from the host");
  for (const char* target : {"/", "/statusx/db", "/status", "/other/status/db"}) {
    const auto reply = get(target);
    EXPECT_EQ(reply.status, 404) << target;
    EXPECT_EQ(reply.body, "not found by the host") << target;
  }
}

// Another base path, with a character that means something in a pattern: only its own
// paths are the router's.
TEST_P(AdapterEndpoints, AnotherBasePath) {
  RouterOptions options;
  options.base_path = "/health.v1";
  serve(options);
  EXPECT_EQ(get("/health.v1/db").body, R"(["OK"])");
  EXPECT_EQ(get("/healthXv1/db").body, "not found by the host");
  EXPECT_EQ(get("/status/db").body, "not found by the host");
}

TEST_P(AdapterEndpoints, HeadKeepsTheLengthWithoutTheBody) {
  serve();
  HttpConnection connection(served_->port());
  const auto head = connection.get("/status/db", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "6");
  EXPECT_EQ(head.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(head.body, "");
  // No body was sent: the next answer on the same connection reads clean.
  EXPECT_EQ(connection.get("/status/am-i-up").body, "OK");
}

TEST_P(AdapterEndpoints, OtherMethodsAre405WithAllow) {
  serve();
  // With a length, as a client sends them: cpp-httplib would wait for the body otherwise.
  for (const char* method : {"POST", "DELETE", "PUT"}) {
    const auto reply = get("/status/db", method, {{"Content-Length", "0"}});
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(reply.header("allow"), "GET, HEAD") << method;
  }
}

// The body of a request the router refuses is still read off the connection, not taken for the
// start of the next request on it. (One request at a time: cpp-httplib does not answer
// pipelined requests until more bytes arrive.)
TEST_P(AdapterEndpoints, ABodyTheRouterRefusesDoesNotSpillIntoTheNextRequest) {
  serve();
  HttpConnection connection(served_->port());
  const std::string smuggled = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const auto refused = connection.raw(
      "POST /status/db HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Length: " +
          std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
      300);
  EXPECT_THAT(refused, ::testing::StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(refused, Not(HasSubstr("hello from the host")));
  const auto next =
      connection.raw("GET /status/db HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(next, ::testing::StartsWith("HTTP/1.1 200 "));
  EXPECT_THAT(next, ::testing::EndsWith(R"(["OK"])"));
}

TEST_P(AdapterEndpoints, StatusCodesFromTheOptions) {
  RouterOptions options;
  options.status_codes = {{Level::crit, 503}};
  serve(options);
  EXPECT_EQ(get("/status/cache").status, 503);
  EXPECT_EQ(get("/status/aggregate").status, 503);
  EXPECT_EQ(get("/status/db").status, 200);
}

TEST_P(AdapterEndpoints, TheAuthorizationFieldReachesAccessControl) {
  RouterOptions options;
  options.allow_details = bearer_token("s3cret");
  serve(options);
  EXPECT_THAT(get("/status/cache").body, Not(HasSubstr("replica lag")));
  // Field names are case-insensitive on the way in.
  EXPECT_THAT(get("/status/cache", "GET", {{"authorization", "Bearer s3cret"}}).body,
              HasSubstr("replica lag"));
  EXPECT_THAT(get("/status/cache", "GET", {{"Authorization", "Bearer wrong"}}).body,
              Not(HasSubstr("replica lag")));
}

TEST_P(AdapterEndpoints, TheClientAddressReachesAccessControl) {
  RouterOptions options;
  auto seen = std::make_shared<std::vector<std::string>>();
  options.allow_details = [seen](const Request& request) {
    seen->emplace_back(request.remote_address);
    return request.remote_address == "127.0.0.1";
  };
  serve(options);
  EXPECT_THAT(get("/status/cache").body, HasSubstr("replica lag"));
  ASSERT_FALSE(seen->empty());
  EXPECT_EQ(seen->back(), "127.0.0.1");
}

TEST_P(AdapterEndpoints, KeepsTheConnectionForTheNextRequest) {
  serve();
  HttpConnection connection(served_->port());
  EXPECT_EQ(connection.get("/status/db").body, R"(["OK"])");
  EXPECT_EQ(connection.get("/hello").body, "hello from the host");
  EXPECT_THAT(connection.get("/status/aggregate").body, HasSubstr("replica lag"));
}

INSTANTIATE_TEST_SUITE_P(Each, AdapterEndpoints, ::testing::ValuesIn(testing::adapters()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace healthchecks
