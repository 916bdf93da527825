#include "healthchecks/checks/tcp.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/completion.hpp"
#include "healthchecks/checks/http.hpp"
#include "healthchecks/checks/redis.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "support/check_runner.hpp"
#include "support/matchers.hpp"
#include "support/servers.hpp"

namespace healthchecks {
namespace {

using testing::IsStatus;
using testing::run_check;

TEST(TcpCheck, ConnectsToAListeningPort) {
  Registry registry;
  Router router(registry);
  Server server(router, {"127.0.0.1", 0});  // the library's own server as the dependency
  server.start();
  const auto port = std::to_string(server.port());
  EXPECT_THAT(run_check(checks::tcp("127.0.0.1", server.port())),
              IsStatus(Level::ok, "connected to 127.0.0.1:" + port + " in "));
  EXPECT_THAT(run_check(checks::tcp("localhost", server.port())), testing::HasLevel(Level::ok));
}

// The network checks need the registry's runtime; called by hand without one, they say so.
TEST(NetworkChecks, RunOutsideARegistryAreCritSayingSo) {
  CheckContext context;  // no runtime
  for (const auto& [kind, check] :
       std::vector<std::pair<std::string, Check>>{{"tcp", checks::tcp("127.0.0.1", 1)},
                                                  {"http", checks::http("http://127.0.0.1:1/")},
                                                  {"redis", checks::redis({})}}) {
    std::optional<Status> answer;
    check.async_function()(
        context, detail::CompletionState::make([&answer](Status s) { answer = std::move(s); }));
    ASSERT_TRUE(answer) << kind;
    EXPECT_THAT(*answer, IsStatus(Level::crit, kind + " check run outside a Registry")) << kind;
  }
}

TEST(TcpCheck, AClosedPortIsCritSayingWhy) {
  const auto port = testing::free_port();
  EXPECT_THAT(run_check(checks::tcp("127.0.0.1", port)),
              IsStatus(Level::crit,
                       "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused"));
}

}  // namespace
}  // namespace healthchecks
