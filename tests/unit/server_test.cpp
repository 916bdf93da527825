#include "healthchecks/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "support/http_client.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using testing::http_get;
using testing::HttpConnection;
using namespace std::chrono_literals;

ServerOptions any_port(unsigned threads = 1) {
  ServerOptions options;
  options.port = 0;
  options.threads = threads;
  return options;
}

class ServerServing : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.add({"MySQL", "db", "internal", [] { return true; }});
    registry_.add({"Slow", "slow", "internal", [] {
                     std::this_thread::sleep_for(300ms);
                     return true;
                   }});
    router_ = std::make_unique<Router>(registry_);
    server_ = std::make_unique<Server>(*router_, any_port());
    server_->start();
  }

  Registry registry_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerServing, ServesTheApi) {
  const auto reply = http_get(server_->port(), "/status/am-i-up");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "OK");
  EXPECT_EQ(reply.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(reply.header("date").empty());
  EXPECT_EQ(http_get(server_->port(), "/status/db").body, R"(["OK"])");
}

TEST_F(ServerServing, AnswersOtherPaths404) {
  const auto reply = http_get(server_->port(), "/metrics");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.body, "Not Found");
}

TEST_F(ServerServing, HeadHasTheLengthButNoBody) {
  const auto reply = http_get(server_->port(), "/status/am-i-up", "HEAD");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-length"), "2");
  EXPECT_EQ(reply.body, "");
}

TEST_F(ServerServing, OtherMethodsAre405) {
  const auto reply = http_get(server_->port(), "/status/about", "DELETE");
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.header("allow"), "GET, HEAD");
}

TEST_F(ServerServing, KeepsConnectionsAlive) {
  HttpConnection connection(server_->port());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(connection.get("/status/db").body, R"(["OK"])");
  EXPECT_EQ(connection.get("/status/am-i-up").body, "OK");
}

// Requests that arrive together are parsed from what was read (continue_request), in order;
// one whose end comes later is read on.
TEST_F(ServerServing, AnswersPipelinedAndSplitRequests) {
  HttpConnection connection(server_->port());
  const auto both = connection.raw(
      "GET /status/am-i-up HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /status/db HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto first = both.find("HTTP/1.1 200 ");
  const auto second = both.find("HTTP/1.1 200 ", first + 1);
  ASSERT_NE(second, std::string::npos) << both;
  EXPECT_NE(both.find("OK", first), std::string::npos);
  EXPECT_THAT(both.substr(second), ::testing::EndsWith(R"(["OK"])"));

  HttpConnection split(server_->port());
  EXPECT_EQ(split.raw("GET /status/db HTTP/1.1\r\nHo", 200), "");
  EXPECT_THAT(split.raw("st: x\r\nConnection: close\r\n\r\n"), ::testing::EndsWith(R"(["OK"])"));
}

// Answers sent inline (start_write) are bounded per call stack: past the bound one goes through
// the executor. Forty requests in one write cross that bound several times, and every answer
// comes, in order.
TEST_F(ServerServing, AnswersManyPipelinedRequestsInOrder) {
  HttpConnection connection(server_->port());
  std::string requests;
  for (int i = 0; i < 39; ++i) {
    requests += i % 2 == 0 ? "GET /status/am-i-up HTTP/1.1\r\nHost: x\r\n\r\n"
                           : "GET /status/db HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  requests += "GET /status/db HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const auto answers = connection.raw(requests);
  std::size_t at = 0;
  for (int i = 0; i < 40; ++i) {
    at = answers.find("HTTP/1.1 200 ", at);
    ASSERT_NE(at, std::string::npos) << "answer " << i << " is missing:\n" << answers;
    const auto next = answers.find("HTTP/1.1 200 ", at + 1);
    const auto answer = answers.substr(at, next == std::string::npos ? next : next - at);
    EXPECT_THAT(answer, ::testing::EndsWith(i % 2 == 0 && i != 39 ? "OK" : R"(["OK"])")) << i;
    at += 1;
  }
}

TEST_F(ServerServing, ASlowCheckDoesNotHoldOtherRequests) {
  auto slow = std::async(std::launch::async,
                         [port = server_->port()] { return http_get(port, "/status/slow"); });
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_get(server_->port(), "/status/am-i-up").body, "OK");
  EXPECT_EQ(http_get(server_->port(), "/status/db").body, R"(["OK"])");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms)
      << "answered while the slow check ran, on the server's only thread";
  EXPECT_EQ(slow.get().body, R"(["OK"])");
}

TEST_F(ServerServing, BadRequestsDoNotStopIt) {
  HttpConnection garbage(server_->port());
  const auto answer = garbage.raw("NOT HTTP AT ALL\r\n\r\n", 1000);
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 400 Bad Request"));
  EXPECT_THAT(answer, HasSubstr("Connection: close"));
  EXPECT_EQ(http_get(server_->port(), "/status/am-i-up").body, "OK");
}

TEST_F(ServerServing, StopsGracefully) {
  auto slow = std::async(std::launch::async,
                         [port = server_->port()] { return http_get(port, "/status/slow"); });
  std::this_thread::sleep_for(50ms);
  server_->stop();
  EXPECT_EQ(slow.get().body, R"(["OK"])") << "the answer in flight was finished";
  EXPECT_THROW(http_get(server_->port(), "/status/am-i-up"), std::exception);
  server_->stop();  // idempotent
}

// --- Limits ------------------------------------------------------------------------------------

ServerOptions strict() {
  auto options = any_port(1);
  options.read_timeout = std::chrono::milliseconds(300);
  options.idle_timeout = std::chrono::milliseconds(500);
  options.max_header_bytes = 1024;
  options.max_connections = 3;
  return options;
}

TEST(ServerLimits, AClientThatTricklesItsHeaderIsDroppedWhileOthersAreServed) {
  Registry registry;
  Router router(registry);
  Server server(router, strict());
  server.start();
  auto slow = std::async(std::launch::async, [port = server.port()] {
    HttpConnection connection(port);
    const std::string request = "GET /status/am-i-up HTTP/1.1\r\nHost: x\r\n\r\n";
    // One byte every 100 ms: it would take 4 s; the read time-out is 300 ms.
    const auto start = std::chrono::steady_clock::now();
    std::string answer;
    for (const char c : request) {
      answer += connection.raw(std::string(1, c), 100);
      if (!answer.empty() || std::chrono::steady_clock::now() - start > 2s) break;
    }
    return std::make_pair(answer, std::chrono::steady_clock::now() - start);
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(http_get(server.port(), "/status/am-i-up").body, "OK") << "others are served meanwhile";
  const auto [answer, took] = slow.get();
  EXPECT_THAT(answer, ::testing::Not(HasSubstr("200 OK")));
  EXPECT_LT(took, 1500ms) << "dropped at the read time-out, not after the whole header";
}

TEST(ServerLimits, AnIdleConnectionIsClosed) {
  Registry registry;
  Router router(registry);
  Server server(router, strict());
  server.start();
  HttpConnection connection(server.port());
  EXPECT_EQ(connection.get("/status/am-i-up").body, "OK");
  // Nothing more is sent; the idle time-out (500 ms) closes it, and raw() sees the end.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(connection.raw("", 3000), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

// The idle time-out is the server's sweep (start_sweeping), not a timer per request: it closes
// only a connection that waits for a request, never one in use for longer, or one waiting for
// a slow answer.
TEST(ServerLimits, OnlyAConnectionWaitingForARequestIsIdle) {
  Registry registry;
  registry.add({"Slow", "slow", "internal", [] {
                  std::this_thread::sleep_for(800ms);  // longer than the idle time-out
                  return true;
                }});
  Router router(registry);
  Server server(router, strict());
  server.start();
  HttpConnection busy(server.port());
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 1200ms) {
    ASSERT_EQ(busy.get("/status/am-i-up").body, "OK") << "a connection in use stays open";
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(busy.get("/status/slow").body, R"(["OK"])") << "a slow answer is not cut";
  EXPECT_EQ(busy.get("/status/am-i-up").body, "OK");
}

TEST(ServerLimits, AnOversizedHeaderIs431) {
  Registry registry;
  Router router(registry);
  Server server(router, strict());
  server.start();
  HttpConnection connection(server.port());
  const auto answer = connection.raw(
      "GET /status/am-i-up HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 431 Request Header Fields Too Large"));
}

TEST(ServerLimits, ALongTargetIs414) {
  Registry registry;
  Router router(registry);
  Server server(router, any_port());
  server.start();
  EXPECT_EQ(http_get(server.port(), "/status/about?q=" + std::string(3000, 'x')).status, 414);
}

TEST(ServerLimits, ConnectionsBeyondTheCapAre503) {
  Registry registry;
  Router router(registry);
  Server server(router, strict());
  server.start();
  std::vector<std::unique_ptr<HttpConnection>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<HttpConnection>(server.port()));
    EXPECT_EQ(open.back()->get("/status/am-i-up").body, "OK");
  }
  HttpConnection extra(server.port());
  const auto answer = extra.raw("GET /status/am-i-up HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 503 Service Unavailable"));
  EXPECT_THAT(answer, HasSubstr("too many connections"));
  open.pop_back();  // one leaves: room again
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(http_get(server.port(), "/status/am-i-up").body, "OK");
}

TEST(Server, ServesOnSeveralThreads) {
  Registry registry;
  registry.add({"MySQL", "db", "internal", [] { return true; }});
  Router router(registry);
  Server server(router, any_port(4));
  server.start();
  std::vector<std::future<testing::HttpReply>> replies;
  for (int i = 0; i < 16; ++i) {
    replies.push_back(std::async(std::launch::async,
                                 [port = server.port()] { return http_get(port, "/status/db"); }));
  }
  for (auto& reply : replies) EXPECT_EQ(reply.get().body, R"(["OK"])");
}

TEST(Server, KeepsItsRouterAlive) {
  std::unique_ptr<Server> server;
  {
    Registry registry;
    registry.add({"MySQL", "db", "internal", [] { return true; }});
    Router router(registry);
    server = std::make_unique<Server>(router, any_port());
  }
  server->start();  // registry and router are gone: the server holds what it serves
  EXPECT_EQ(http_get(server->port(), "/status/db").body, R"(["OK"])");
}

TEST(Server, RunBlocksUntilStopped) {
  Registry registry;
  Router router(registry);
  Server server(router, any_port(2));
  std::thread runner([&] { server.run(); });
  EXPECT_EQ(http_get(server.port(), "/status/am-i-up").body, "OK");
  server.stop();
  runner.join();
}

TEST(Server, ReportsAddressesItCannotUse) {
  Registry registry;
  Router router(registry);
  ServerOptions options;
  options.address = "not-an-address";
  EXPECT_THAT([&] { Server server(router, options); },
              ::testing::ThrowsMessage<Error>(HasSubstr("'not-an-address' is not an IP address")));
  Server first(router, any_port());
  options.address = "127.0.0.1";
  options.port = first.port();
  EXPECT_THAT([&] { Server second(router, options); },
              ::testing::ThrowsMessage<Error>(HasSubstr("cannot listen on 127.0.0.1:")));
}

TEST(ServerLimits, ARequestWithAnUnknowableLengthIs400AndNothingAfterItIsRead) {
  Registry registry;
  Router router(registry);
  Server server(router, any_port());
  server.start();
  for (const char* target : {"/status/am-i-up", "/elsewhere"}) {
    HttpConnection connection(server.port());
    const auto answer = connection.raw(std::string("GET ") + target +
                                       " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, "
                                       "gzip\r\n\r\nGET /status/about HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 400 ")) << target;
    EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos)
        << "the smuggled request got no answer: " << answer;
  }
}

TEST(ServerLimits, LargeAnswersWaitingOnSlowReadersHaveABudget) {
  About about;
  about.custom_data["blob"] = std::string(8 * 1024 * 1024, 'x');  // more than socket buffers
  Registry registry(about);
  Router router(registry);
  auto options = any_port();
  options.max_buffered_bytes = 10 * 1024 * 1024;
  Server server(router, options);
  server.start();
  // A reader that asks and never reads holds its answer in the server.
  const int stuck = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(stuck, 0);
  const int small = 4096;
  ::setsockopt(stuck, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(stuck, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string ask = "GET /status/about HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(stuck, ask.data(), ask.size(), 0), static_cast<ssize_t>(ask.size()));
  std::this_thread::sleep_for(300ms);
  const auto second = http_get(server.port(), "/status/about");
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(second.header("retry-after"), "1");
  EXPECT_EQ(http_get(server.port(), "/status/am-i-up").status, 200) << "small answers still go";
  ::close(stuck);
}

// An answer larger than the socket takes at once: the part sent inline (start_write) and the
// rest, written asynchronously once the reader drains, arrive whole and in order.
TEST(ServerLimits, AnAnswerLargerThanTheSocketBufferArrivesWhole) {
  About about;
  std::string blob;
  for (int i = 0; blob.size() < 4 * 1024 * 1024; ++i) blob += std::to_string(i) + ' ';
  about.custom_data["blob"] = blob;
  Registry registry(about);
  Router router(registry);
  Server server(router, any_port());
  server.start();
  const int slow = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(slow, 0);
  const int small = 4096;
  ::setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(slow, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string ask = "GET /status/about HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(slow, ask.data(), ask.size(), 0), static_cast<ssize_t>(ask.size()));
  std::this_thread::sleep_for(200ms);  // the server has sent what the socket took, and waits
  std::string answer;
  char chunk[65536];
  for (;;) {
    const auto n = ::recv(slow, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    answer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(slow);
  const auto body_at = answer.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  const auto body = nlohmann::json::parse(answer.substr(body_at + 4));
  EXPECT_EQ(body["customData"]["blob"], blob);
}

TEST(ServerLimits, TheDefaultConnectionCapFollowsTheDescriptorLimit) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur > 40) {
    EXPECT_EQ(default_max_connections(), std::min<std::size_t>((limit.rlim_cur - 32) / 2, 16384));
  }
  EXPECT_GE(default_max_connections(), 1u);
}

}  // namespace
}  // namespace healthchecks
