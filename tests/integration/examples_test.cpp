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

INSTANTIATE_TEST_SUITE_P(All, Examples,
                         ::testing::Values(Example{HEALTHCHECKS_EMBEDDED_SERVER_PATH,
                                                   "embedded_server"},
                                           Example{HEALTHCHECKS_EMBED_BEAST_PATH, "embed_beast"},
                                           Example{HEALTHCHECKS_ASYNC_CHECK_PATH, "async_check"},
                                           Example{HEALTHCHECKS_ASIO_CHECK_PATH, "asio_check"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace healthchecks
