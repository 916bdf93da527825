#include "healthchecks/beast/router_adapter.hpp"

#include <future>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/beast/http/write.hpp>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/server.hpp"
#include "support/http_client.hpp"
#include "transport/framing.hpp"

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

// The Server writes answers without a Beast message (transport/framing.hpp); what it writes must
// be byte for byte what Beast writes for to_beast()'s message. Dates differ by the second.
std::string without_date(std::string bytes) {
  return std::regex_replace(bytes, std::regex("Date: [^\r]*\r\n"), "Date: -\r\n");
}

std::string beast_bytes(const beast::response& response) {
  std::ostringstream out;
  out << response;
  return without_date(out.str());
}

TEST(BeastFraming, WriteHeadWritesWhatBeastWrites) {
  for (const int status : {200, 204, 304, 404, 405, 503}) {
    for (const unsigned version : {10u, 11u}) {
      for (const bool keep_alive : {false, true}) {
        for (const bool head : {false, true}) {
          Response answer{status,
                          "application/json; charset=utf-8",
                          R"(["OK"])",
                          {{"Cache-Control", "max-age=5"}, {"Vary", "Accept"}}};
          auto req = request(head ? http::verb::head : http::verb::get, "/status/db", version);
          req.keep_alive(keep_alive);
          const detail::Framing framing = detail::framing_of(req);
          ASSERT_EQ(framing.keep_alive, keep_alive);
          std::string ours;
          const bool body = detail::write_head(ours, answer, framing);
          if (body) ours += answer.body;
          EXPECT_EQ(without_date(ours), beast_bytes(beast::to_beast(answer, req)))
              << status << " HTTP/" << version << " keep-alive " << keep_alive << " head " << head;
        }
      }
    }
  }
}

TEST_F(BeastRouterAdapter, TheServerWritesWhatBeastWrites) {
  ServerOptions options;
  options.port = 0;
  Server server(*router_, options);
  server.start();
  struct Case {
    const char* raw;
    http::verb verb;
    const char* target;
    unsigned version;
    bool keep_alive;
  };
  for (const Case& c : {
           Case{"GET /status/am-i-up HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                http::verb::get, "/status/am-i-up", 11, false},
           Case{"HEAD /status/db HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                http::verb::head, "/status/db", 11, false},
           Case{"GET /status/am-i-up HTTP/1.0\r\n\r\n", http::verb::get, "/status/am-i-up", 10,
                false},
           Case{"GET /status/db HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", http::verb::get,
                "/status/db", 10, true},
           Case{"GET /status/aggregate HTTP/1.1\r\nHost: x\r\n\r\n", http::verb::get,
                "/status/aggregate", 11, true},
           Case{"POST /status/db HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                http::verb::post, "/status/db", 11, true},
       }) {
    auto req = request(c.verb, c.target, c.version);
    req.keep_alive(c.keep_alive);
    if (c.verb == http::verb::post) req.content_length(0);
    const auto expected = beast::handle(*router_, req);
    ASSERT_TRUE(expected) << c.raw;
    testing::HttpConnection connection(server.port());
    // A kept-alive connection stays open: read what came within the time-out.
    const auto got = connection.raw(c.raw, c.keep_alive ? 500 : 2000);
    EXPECT_EQ(without_date(got), beast_bytes(*expected)) << c.raw;
  }
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
