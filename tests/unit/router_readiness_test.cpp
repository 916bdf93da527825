// Readiness for load balancers and Kubernetes: draining (Registry::set_ready) takes aggregate out
// of rotation while am-i-up stays up, and tags make groups that aggregate?tag= judges alone.
#include "healthchecks/router.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kDrainingV1 =
    R"(["CRIT",{"description":"Draining","result":"CRIT","details":"this instance is shutting )"
    R"(down and takes no new traffic; it still answers am-i-up and the requests it gets"}])";

TEST(RouterDrain, AggregateAnswers503WhileAmIUpStays200) {
  std::atomic<int> runs{0};
  Registry registry;
  StatusEndpoint db("DB", "db", [&] {
    ++runs;
    return true;
  });
  db.tags = {"readiness"};
  registry.add(db);
  RouterOptions options;
  options.status_codes = {{Level::crit, 500}};  // draining is 503 whatever the mapping
  Router router(registry, options);
  EXPECT_TRUE(registry.ready());
  EXPECT_EQ(router.handle("GET", "/status/aggregate").status, 200);

  registry.set_ready(false);
  EXPECT_FALSE(registry.ready());
  const int before = runs;
  for (const char* target : {"/status/aggregate", "/status/aggregate?type=internal",
                             "/status/aggregate?type=external", "/status/aggregate?tag=readiness",
                             "/status/aggregate?type=bogus", "/status/traverse?action=aggregate"}) {
    const auto answer = router.handle("GET", target);
    EXPECT_EQ(answer.status, 503) << target;
    EXPECT_EQ(answer.body, kDrainingV1) << target;
    EXPECT_EQ(answer.header("Cache-Control"), "no-cache") << target;
  }
  const auto v2 = router.handle("GET", "/status/v2/aggregate?tag=readiness");
  EXPECT_EQ(v2.status, 503);
  EXPECT_THAT(v2.body, StartsWith(R"({"description":"Draining","result":"CRIT")"));
  EXPECT_EQ(runs, before) << "a draining instance asks no dependency";

  // Liveness and the dependencies' own reports are untouched.
  const auto up = router.handle("GET", "/status/am-i-up");
  EXPECT_EQ(up.status, 200);
  EXPECT_EQ(up.body, "OK");
  EXPECT_EQ(router.handle("GET", "/status/v2/am-i-up").status, 200);
  EXPECT_EQ(router.handle("GET", "/status/db").body, R"(["OK"])");
  const auto about = router.handle("GET", "/status/about");
  EXPECT_EQ(about.status, 200);
  EXPECT_THAT(about.body, Not(HasSubstr("Draining")));

  registry.set_ready(true);
  const auto back = router.handle("GET", "/status/aggregate");
  EXPECT_EQ(back.status, 200);
  EXPECT_EQ(back.body, R"(["OK"])");
}

TEST(RouterDrain, SetReadyIsSafeFromAnyThreadWhileServing) {
  Registry registry;
  registry.add({"DB", "db", [] { return true; }});
  Router router(registry);
  std::atomic<bool> stop{false};
  std::thread flipper([&] {
    for (bool ready = false; !stop; ready = !ready) {
      registry.set_ready(ready);
      std::this_thread::yield();
    }
  });
  for (int i = 0; i < 2000; ++i) {
    const auto status = router.handle("GET", "/status/aggregate").status;
    EXPECT_TRUE(status == 200 || status == 503) << status;
  }
  stop = true;
  flipper.join();
  registry.set_ready(false);
  EXPECT_EQ(router.handle("GET", "/status/aggregate").status, 503);
  registry.set_ready(true);
  EXPECT_EQ(router.handle("GET", "/status/aggregate").status, 200);
}

// db (readiness), search (no tag, CRIT), migrations (startup, WARN), cache (both).
Registry& tagged_registry(Registry& registry) {
  StatusEndpoint db("DB", "db", [] { return true; });
  db.tags = {"readiness"};
  StatusEndpoint search("Search", "search", StatusEndpoint::Type::external,
                        [] { return Status::crit("index gone"); });
  StatusEndpoint migrations("Migrations", "migrations",
                            [] { return Status::warn("3 migrations to run"); });
  migrations.tags = {"startup"};
  StatusEndpoint cache("Cache", "cache", [] { return true; });
  cache.tags = {"startup", "readiness"};
  registry.add(db).add(search).add(migrations).add(cache);
  return registry;
}

TEST(RouterTags, OnlyDependenciesWithAnyOfTheTagsAreJudged) {
  Registry registry;
  Router router(tagged_registry(registry));
  EXPECT_THAT(router.handle("GET", "/status/aggregate").body,
              StartsWith(R"(["CRIT",{"description":"Search")"));
  EXPECT_EQ(router.handle("GET", "/status/aggregate?tag=readiness").body, R"(["OK"])");
  EXPECT_THAT(router.handle("GET", "/status/aggregate?tag=startup").body,
              StartsWith(R"(["WARN",{"description":"Migrations")"));
  // Repeated: any of them (membership, as groups are).
  EXPECT_THAT(router.handle("GET", "/status/aggregate?tag=readiness&tag=startup").body,
              StartsWith(R"(["WARN",{"description":"Migrations")"));
  // With ?type=: both must hold; an empty selection is OK, as ?type= alone answers it.
  EXPECT_EQ(router.handle("GET", "/status/aggregate?tag=startup&type=external").body, R"(["OK"])");
  EXPECT_THAT(router.handle("GET", "/status/aggregate?tag=startup&type=internal").body,
              StartsWith(R"(["WARN")"));
  EXPECT_EQ(router.handle("GET", "/status/v2/aggregate?tag=startup").body,
            R"({"description":"Migrations","result":"WARN","details":"3 migrations to run"})");
  // About shows no tags: the contract's Dependency has no such field.
  EXPECT_THAT(router.handle("GET", "/status/about").body, Not(HasSubstr("startup")));
}

TEST(RouterTags, ATagNoDependencyHasIsA400NamingTheKnownOnes) {
  Registry registry;
  Router router(tagged_registry(registry));
  for (const char* target :
       {"/status/aggregate?tag=readyness", "/status/aggregate?tag=", "/status/aggregate?tag",
        "/status/aggregate?tag=startup&tag=x", "/status/v2/aggregate?tag=readyness"}) {
    const auto answer = router.handle("GET", target);
    EXPECT_EQ(answer.status, 400) << target;
    EXPECT_THAT(answer.body, HasSubstr("Unknown tag")) << target;
    EXPECT_THAT(answer.body, HasSubstr("known tags: readiness, startup")) << target;
  }
  // Redacted callers are not told the groups.
  Registry hidden;
  RouterOptions options;
  options.redact = true;
  Router redacted(tagged_registry(hidden), options);
  const auto answer = redacted.handle("GET", "/status/aggregate?tag=readyness");
  EXPECT_EQ(answer.status, 400);
  EXPECT_THAT(answer.body, Not(HasSubstr("known tags")));

  Registry untagged;
  untagged.add({"DB", "db", [] { return true; }});
  Router plain(untagged);
  EXPECT_THAT(plain.handle("GET", "/status/aggregate?tag=readiness").body,
              HasSubstr("no dependency has the tag 'readiness'; none has a tag"));
}

TEST(RouterTags, RepeatedTagsCountTowardsTheQueryParameterLimit) {
  Registry registry;
  Router router(tagged_registry(registry));
  std::string target = "/status/aggregate?tag=readiness";
  for (int i = 1; i < 16; ++i) target += "&tag=readiness";
  EXPECT_EQ(router.handle("GET", target).status, 200);
  EXPECT_EQ(router.handle("GET", target + "&tag=startup").status, 400);
}

TEST(RegistryTags, BadTagsAreRegistrationErrors) {
  const auto error_of = [](std::vector<std::string> tags) -> std::string {
    Registry registry;
    StatusEndpoint db("DB", "db", [] { return true; });
    db.tags = std::move(tags);
    try {
      registry.add(db);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error_of({"readiness", "startup", "a.b_c-1"}), "no error");
  EXPECT_THAT(error_of({""}), HasSubstr("tag '' of endpoint 'DB' must be 1 to 64 characters"));
  EXPECT_THAT(error_of({"two words"}), HasSubstr("[A-Za-z0-9._-]"));
  EXPECT_THAT(error_of({std::string(65, 'a')}), HasSubstr("1 to 64 characters"));
  EXPECT_THAT(error_of(std::vector<std::string>(17, "a")),
              HasSubstr("has 17 tags; at most 16 are allowed"));
}

}  // namespace
}  // namespace healthchecks
