// The sidecar's keys for load balancers: "drainMs" (how long SIGTERM drains) and each check's
// "tags" (the groups aggregate?tag= selects).
#include "sidecar/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/config_errors.hpp"

namespace healthchecks::sidecar {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

TEST(SidecarConfigReadiness, ReadsDrainAndTags) {
  const auto config = parse_config(R"({
    "drainMs": 15000,
    "checks": [
      {"name": "DB", "slug": "db", "check": "static", "tags": ["readiness", "startup"]},
      {"name": "Search", "slug": "search", "check": "static", "tags": []},
      {"name": "Cache", "slug": "cache", "check": "static"}
    ]})",
                                   "svc.json", "");
  EXPECT_EQ(config.drain.count(), 15000);
  ASSERT_EQ(config.endpoints.size(), 3u);
  EXPECT_EQ(config.endpoints[0].tags, (std::vector<std::string>{"readiness", "startup"}));
  EXPECT_TRUE(config.endpoints[1].tags.empty());
  EXPECT_TRUE(config.endpoints[2].tags.empty());
  EXPECT_EQ(parse_config("{}", "svc.json", "").drain.count(), 0) << "stops at once by default";
}

TEST(SidecarConfigReadiness, MistakesNameTheKey) {
  const auto check = [](const std::string& tags) {
    return error_of(R"({"checks": [{"name": "DB", "slug": "db", "check": "static", "tags": )" +
                    tags + "}]}");
  };
  EXPECT_THAT(check(R"("readiness")"),
              HasSubstr("key 'checks[0].tags': expected a list of at most 16 tags such as "
                        "[\"readiness\"], found string"));
  EXPECT_THAT(check(R"(["a", 1])"),
              HasSubstr("key 'checks[0].tags[1]': expected a tag of 1 to 64 characters from "
                        "[A-Za-z0-9._-], found number 1"));
  EXPECT_THAT(check(R"([""])"), HasSubstr("key 'checks[0].tags[0]'"));
  EXPECT_THAT(check(R"(["two words"])"), HasSubstr("key 'checks[0].tags[0]'"));
  EXPECT_THAT(check("[\"" + std::string(65, 'a') + "\"]"), HasSubstr("key 'checks[0].tags[0]'"));
  std::string seventeen = "[\"a\"";
  for (int i = 1; i < 17; ++i) seventeen += ",\"a\"";
  EXPECT_THAT(check(seventeen + "]"), HasSubstr("at most 16 tags"));

  EXPECT_THAT(error_of(R"({"drainMs": -1})"),
              HasSubstr("key 'drainMs': expected a number from 0 to 86400000, found -1"));
  EXPECT_THAT(error_of(R"({"drainMs": "5s"})"),
              HasSubstr("key 'drainMs': expected a whole number"));
}

}  // namespace
}  // namespace healthchecks::sidecar
