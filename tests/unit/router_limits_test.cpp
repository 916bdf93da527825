// The router against hostile and pathological requests: limits with clear answers, and the
// caller's mistakes told apart from the service being down.
#include "healthchecks/router.hpp"

#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/checks/http.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/server.hpp"
#include "support/fake_peer.hpp"
#include "support/http_client.hpp"
#include "support/router_get.hpp"
#include "support/servers.hpp"
#include "support/service.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

using testing::Service;

using testing::get;

// --- Limits ------------------------------------------------------------------------------------

TEST(RouterLimits, ALongTargetIs414) {
  Registry registry;
  Router router(registry);
  const auto response = get(router, "/status/about?x=" + std::string(3000, 'a'));
  EXPECT_EQ(response.status, 414);
  EXPECT_THAT(response.body, HasSubstr("the request target is 3016 bytes long; at most 2048"));
}

TEST(RouterLimits, TooManyQueryParametersIs400) {
  Registry registry;
  Router router(registry);
  std::string target = "/status/aggregate?";
  for (int i = 0; i < 20; ++i) target += "p" + std::to_string(i) + "=1&";
  const auto response = get(router, target);
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("21 query parameters; at most 16 are accepted"));
}

TEST(RouterLimits, AmIUpNeedsNoParsing) {
  Registry registry;
  RouterOptions options;
  options.max_target_length = 10;  // shorter than any real target
  Router router(registry, options);
  EXPECT_EQ(get(router, "/status/am-i-up").body, "OK");
  EXPECT_EQ(get(router, "/status/about").status, 414);
}

// --- Caller mistakes ---------------------------------------------------------------------------

TEST(RouterCallerMistakes, WithStatusCodesAreNeverReadAsTheServiceBeingDown) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return Status::crit("down"); }});
  RouterOptions options;
  options.status_codes = {{Level::crit, 503}};
  Router router(registry, options);
  EXPECT_EQ(get(router, "/status/aggregate").status, 503) << "the real CRIT";
  const auto typo = get(router, "/status/aggregate?type=bogus");
  EXPECT_EQ(typo.status, 400);
  EXPECT_THAT(typo.body, HasSubstr(R"("description":"Invalid type")"));
  EXPECT_EQ(get(router, "/status/nope").status, 404);
  EXPECT_EQ(get(router, "/status/v2/aggregate?type=bogus").status, 400);

  Registry plain_registry;
  Router plain(plain_registry);
  EXPECT_EQ(get(plain, "/status/aggregate?type=bogus").status, 200) << "the reference's code";
}

TEST(RouterCallerMistakes, AMalformedTargetIsExplainedInTheCallersTerms) {
  Registry registry;
  Router router(registry);
  const auto bad_escape = get(router, "/status/%zz");
  EXPECT_EQ(bad_escape.status, 400);
  EXPECT_THAT(bad_escape.body,
              HasSubstr("'%' at byte 9 does not start a percent-encoded byte (two hex digits"));
  EXPECT_THAT(bad_escape.body, Not(HasSubstr("leftover")));
  EXPECT_THAT(get(router, "/status/a b").body, HasSubstr("byte 10 (0x20) must be percent-encoded"));
}

}  // namespace
}  // namespace healthchecks
