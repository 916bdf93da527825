// The examples as a user runs them: each serves the API on the port it is given, and a port in
// use is a one-line error with exit code 1, not an abort.
#include <signal.h>

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

namespace healthchecks {
namespace {

using testing::free_port;
using ::testing::HasSubstr;
using testing::http_get;
using testing::Process;
using testing::SilentServer;

struct Example {
  const char* path;
  const char* name;
};

class Examples : public ::testing::TestWithParam<Example> {};

TEST_P(Examples, ServeTheApiOnTheGivenPort) {
  const auto port = free_port();
  Process example({GetParam().path, std::to_string(port)});
  // Every example prints a line with its port once it listens.
  const auto line = example.read_line();
  ASSERT_TRUE(line) << example.read_stderr();
  EXPECT_THAT(*line, HasSubstr(":" + std::to_string(port) + "/status/"));
  EXPECT_EQ(http_get(port, "/status/am-i-up").body, "OK");
  EXPECT_EQ(http_get(port, "/status/nope").status, 404);
}

TEST_P(Examples, APortInUseIsAOneLineError) {
  const SilentServer busy;
  Process example({GetParam().path, std::to_string(busy.port())});
  EXPECT_EQ(example.wait(), 1);
  const auto error = example.read_stderr();
  EXPECT_THAT(error, HasSubstr(": cannot listen on 127.0.0.1:" + std::to_string(busy.port()) +
                               ": Address already in use\n"));
  EXPECT_EQ(error.find('\n'), error.size() - 1) << "one line: " << error;
}

// asio_check's own check: a TCP connect on the registry's executor, here to its own port.
TEST(AsioCheckExample, ConnectsWithTheRegistrysExecutor) {
  const auto port = free_port();
  Process example({HEALTHCHECKS_ASIO_CHECK_PATH, std::to_string(port)});
  ASSERT_TRUE(example.read_line()) << example.read_stderr();
  const auto reply = http_get(port, "/status/v2/database");
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body, HasSubstr("connected in"));
}

// any_server runs the docs' recipe for any server: the request's fields reach the router, HEAD
// keeps the length, the service keeps its own routes.
TEST(AnyServerExample, HandsMethodTargetAndFieldsToTheRouter) {
  const auto port = free_port();
  Process example({HEALTHCHECKS_ANY_SERVER_PATH, std::to_string(port)});
  ASSERT_TRUE(example.read_line()) << example.read_stderr();
  const auto sessions = http_get(port, "/status/sessions");
  EXPECT_EQ(sessions.body, R"(["OK"])");
  EXPECT_EQ(sessions.header("cache-control"), "no-cache");
  const auto head = http_get(port, "/status/sessions", "HEAD");
  EXPECT_EQ(head.header("content-length"), "6");
  EXPECT_EQ(head.body, "");
  const auto post = http_get(port, "/status/sessions", "POST", {{"Content-Length", "0"}});
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("allow"), "GET, HEAD");
  // A hop count from a field: the router refuses a request that has crossed too many services.
  EXPECT_THAT(http_get(port, "/status/aggregate", "GET", {{"x-healthchecks-hops", "99"}}).body,
              HasSubstr("CRIT"));
  EXPECT_EQ(http_get(port, "/hello").body, "hello\n");
}

INSTANTIATE_TEST_SUITE_P(All, Examples,
                         ::testing::Values(Example{HEALTHCHECKS_EMBEDDED_SERVER_PATH,
                                                   "embedded_server"},
                                           Example{HEALTHCHECKS_EMBED_BEAST_PATH, "embed_beast"},
                                           Example{HEALTHCHECKS_ASYNC_CHECK_PATH, "async_check"},
                                           Example{HEALTHCHECKS_ASIO_CHECK_PATH, "asio_check"},
                                           Example{HEALTHCHECKS_ANY_SERVER_PATH, "any_server"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace healthchecks
