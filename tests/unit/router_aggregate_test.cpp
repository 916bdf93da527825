// How the router turns its dependencies' levels into aggregate's answer: criticality and the
// opt-in HTTP status codes.
#include "healthchecks/router.hpp"

#include <atomic>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/registry.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(RouterCriticality, ANonCriticalCritIsAWarnForAggregate) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return true; }});
  StatusEndpoint search("Search", "search", "external",
                        [] { return Status::crit("index unavailable"); });
  search.critical = false;
  registry.add(search);
  Router router(registry);
  EXPECT_EQ(
      router.handle("GET", "/status/aggregate").body,
      R"(["WARN",{"description":"Search","result":"WARN","details":"CRIT, but not critical for this service: index unavailable"}])");
  // Its own endpoint tells the truth, and About says it is not critical.
  EXPECT_THAT(router.handle("GET", "/status/search").body, StartsWith(R"(["CRIT")"));
  EXPECT_THAT(
      router.handle("GET", "/status/about").body,
      HasSubstr(
          R"("statusPath":"search","type":"external","isTraversable":false,"critical":false})"));
}

TEST(RouterCriticality, ACriticalCritStillWinsOverANonCriticalOne) {
  Registry registry;
  StatusEndpoint optional("Optional", "optional", "internal", [] { return Status::crit("a"); });
  optional.critical = false;
  registry.add(optional);
  registry.add({"DB", "db", "internal", [] { return Status::crit("b"); }});
  Router router(registry);
  EXPECT_THAT(router.handle("GET", "/status/aggregate").body,
              StartsWith(R"(["CRIT",{"description":"DB")"));
}

TEST(RouterStatusCodes, OffByDefault) {
  Registry registry;
  registry.add({"DB", "db", "internal", [] { return false; }});
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/aggregate").status, 200);
  EXPECT_EQ(router.handle("GET", "/status/db").status, 200);
}

TEST(RouterStatusCodes, OptedInLevelsMapToCodes) {
  std::atomic<Level> level{Level::crit};
  Registry registry;
  registry.add({"DB", "db", "internal", [&] { return Status{level.load(), "", ""}; }});
  RouterOptions options;
  options.status_codes = {{Level::crit, 503}, {Level::warn, 429}};
  Router router(registry, options);
  EXPECT_EQ(router.handle("GET", "/status/aggregate").status, 503);
  EXPECT_EQ(router.handle("GET", "/status/db").status, 503);
  EXPECT_EQ(router.handle("GET", "/status/v2/aggregate").status, 503);
  EXPECT_EQ(router.handle("GET", "/status/about").status, 200) << "About is not a probe";
  EXPECT_EQ(router.handle("GET", "/status/am-i-up").status, 200);
  level = Level::warn;
  EXPECT_EQ(router.handle("GET", "/status/aggregate").status, 429);
  level = Level::ok;
  EXPECT_EQ(router.handle("GET", "/status/aggregate").status, 200);
}

}  // namespace
}  // namespace healthchecks
