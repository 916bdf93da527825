#include "healthchecks/beast/router_adapter.hpp"

#include <future>

#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"

namespace healthchecks {
namespace {

namespace http = boost::beast::http;

http::request<http::string_body> request(http::verb verb, const char* target,
                                         unsigned version = 11) {
  http::request<http::string_body> req{verb, target, version};
  req.set(http::field::host, "localhost");
  return req;
}

class BeastRouterAdapter : public ::testing::Test {
 protected:
  BeastRouterAdapter() {
    registry_.add({"MySQL", "db", "internal", [] { return true; }});
    router_ = std::make_unique<Router>(registry_);
  }
  Registry registry_;
  std::unique_ptr<Router> router_;
};

TEST_F(BeastRouterAdapter, LeavesOtherPathsToTheHost) {
  EXPECT_FALSE(beast::handle(*router_, request(http::verb::get, "/index.html")).has_value());
  bool called = false;
  EXPECT_FALSE(beast::async_handle(*router_, request(http::verb::get, "/api/users"),
                                   [&](beast::response) { called = true; }));
  EXPECT_FALSE(called);
}

TEST_F(BeastRouterAdapter, AnswersItsOwnPaths) {
  const auto res = beast::handle(*router_, request(http::verb::get, "/status/db"));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->result(), http::status::ok);
  EXPECT_EQ(res->body(), R"(["OK"])");
  EXPECT_EQ((*res)[http::field::content_type], "application/json; charset=utf-8");
  EXPECT_EQ((*res)[http::field::cache_control], "no-cache");
  EXPECT_FALSE((*res)[http::field::date].empty());
  EXPECT_EQ((*res)[http::field::content_length], "6");
}

TEST_F(BeastRouterAdapter, HeadKeepsTheLengthAndDropsTheBody) {
  const auto res = beast::handle(*router_, request(http::verb::head, "/status/am-i-up"));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->body(), "");
  EXPECT_EQ((*res)[http::field::content_length], "2");
}

TEST_F(BeastRouterAdapter, FollowsTheRequestsVersionAndKeepAlive) {
  auto req10 = request(http::verb::get, "/status/am-i-up", 10);
  auto res = beast::handle(*router_, req10);
  EXPECT_EQ(res->version(), 10u);
  EXPECT_FALSE(res->keep_alive());
  req10.set(http::field::connection, "keep-alive");
  EXPECT_TRUE(beast::handle(*router_, req10)->keep_alive());
  auto req11 = request(http::verb::get, "/status/am-i-up");
  EXPECT_TRUE(beast::handle(*router_, req11)->keep_alive());
  req11.set(http::field::connection, "close");
  EXPECT_FALSE(beast::handle(*router_, req11)->keep_alive());
}

TEST_F(BeastRouterAdapter, AsyncFormAnswersOnce) {
  std::promise<beast::response> answer;
  auto future = answer.get_future();
  EXPECT_TRUE(beast::async_handle(*router_, request(http::verb::get, "/status/aggregate"),
                                  [&](beast::response res) { answer.set_value(std::move(res)); }));
  EXPECT_EQ(future.get().body(), R"(["OK"])");
}

TEST_F(BeastRouterAdapter, CopiesExtraHeaders) {
  const auto res = beast::handle(*router_, request(http::verb::post, "/status/db"));
  EXPECT_EQ(res->result(), http::status::method_not_allowed);
  EXPECT_EQ((*res)[http::field::allow], "GET, HEAD");
}

TEST_F(BeastRouterAdapter, AStatusThatCarriesNoBodyIsSentWithoutOne) {
  // Beast refuses to frame a body for 204 or 304 and throws; the adapter must never let a
  // Response make it do that.
  auto req = request(http::verb::get, "/status/db");
  const auto no_content = beast::to_beast(Response{204, "text/plain", "ignored", {}}, req);
  EXPECT_EQ(no_content.result_int(), 204u);
  EXPECT_TRUE(no_content.body().empty());
  const auto not_modified = beast::to_beast(Response{304, "text/plain", "ignored", {}}, req);
  EXPECT_TRUE(not_modified.body().empty());
}

TEST_F(BeastRouterAdapter, RefusesATransferEncodingThatIsNotChunkedAndClosesTheConnection) {
  for (const char* coding : {"chunked, gzip", "xchunked", "gzip"}) {
    auto req = request(http::verb::get, "/status/db");
    req.set(http::field::transfer_encoding, coding);
    const auto res = beast::handle(*router_, req);
    ASSERT_TRUE(res) << coding;
    EXPECT_EQ(res->result_int(), 400u) << coding;
    EXPECT_FALSE(res->keep_alive()) << coding;
  }
  auto unknown_coding = request(http::verb::get, "/status/db");
  unknown_coding.set(http::field::transfer_encoding, "gzip, chunked");
  EXPECT_EQ(beast::handle(*router_, unknown_coding)->result_int(), 501u);
  auto chunked = request(http::verb::get, "/status/db");
  chunked.set(http::field::transfer_encoding, "chunked");
  EXPECT_EQ(beast::handle(*router_, chunked)->result_int(), 200u);
}

TEST(BeastRouterAdapterOptions, StatusCodesThatCannotCarryABodyAreRefusedAtStartUp) {
  Registry registry;
  for (const int code : {204, 205, 304, 100, 600}) {
    RouterOptions options;
    options.status_codes = {{Level::crit, code}};
    EXPECT_THROW(Router(registry, options), Error) << code;
  }
}

// The client's verified certificate reaches the router, which takes it as permission.
TEST(BeastRouterAdapterClient, PassesTheClientCertificateOn) {
  Registry registry;
  registry.add({"MySQL", "db", "internal", [] { return Status::crit("replica lag"); }});
  RouterOptions options;
  options.redact = true;
  Router router(registry, options);
  ClientInfo client;
  client.address = "127.0.0.1";
  EXPECT_EQ(beast::handle(router, request(http::verb::get, "/status/db"), client)->body(),
            R"(["CRIT",{"description":"","result":"CRIT","details":""}])");
  client.certificate_verified = true;
  client.certificate_subject = "CN=prober";
  EXPECT_NE(beast::handle(router, request(http::verb::get, "/status/db"), client)
                ->body()
                .find("replica lag"),
            std::string::npos);
  std::promise<std::string> answered;
  EXPECT_TRUE(beast::async_handle(
      router, request(http::verb::get, "/status/db"),
      [&](beast::response res) { answered.set_value(res.body()); }, client));
  EXPECT_NE(answered.get_future().get().find("replica lag"), std::string::npos);
}

}  // namespace
}  // namespace healthchecks
