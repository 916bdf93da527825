#include "healthchecks/registry.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

StatusEndpoint ok_endpoint(std::string slug) {
  return StatusEndpoint("Name of " + slug, std::move(slug), "internal", [] { return true; });
}

std::string registration_error(StatusEndpoint endpoint) {
  Registry registry;
  try {
    registry.add(std::move(endpoint));
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), "registration");
    return e.what();
  }
  return "no error";
}

TEST(Registry, RejectsEmptySlug) {
  EXPECT_THAT(registration_error(ok_endpoint("")), HasSubstr("empty slug"));
}

TEST(Registry, RejectsEmptyName) {
  auto endpoint = ok_endpoint("db");
  endpoint.name.clear();
  EXPECT_THAT(registration_error(endpoint), HasSubstr("'db' has an empty name"));
}

TEST(Registry, RejectsReservedSlugs) {
  for (const char* slug : {"am-i-up", "about", "aggregate", "traverse", "v2", "V2", "About"}) {
    EXPECT_THAT(registration_error(ok_endpoint(slug)), HasSubstr("is reserved")) << slug;
  }
}

TEST(Registry, RejectsCharactersOutsideTheSlugAlphabet) {
  EXPECT_THAT(registration_error(ok_endpoint("my db")),
              HasSubstr("character outside [A-Za-z0-9._-] at position 2"));
  EXPECT_THAT(registration_error(ok_endpoint("a/b")), HasSubstr("outside [A-Za-z0-9._-]"));
  EXPECT_THAT(registration_error(ok_endpoint("x&action=y")), HasSubstr("outside"));
  EXPECT_THAT(registration_error(ok_endpoint("caf\xC3\xA9")), HasSubstr("outside"));
  EXPECT_THAT(registration_error(ok_endpoint("..")), HasSubstr("dot-segment"));
  EXPECT_EQ(registration_error(ok_endpoint("Redis_cache-2.primary")), "no error");
}

TEST(Registry, RejectsDuplicateSlug) {
  Registry registry;
  registry.add(ok_endpoint("db"));
  EXPECT_THAT([&] { registry.add(ok_endpoint("db")); },
              ::testing::ThrowsMessage<Error>(HasSubstr("'db' is registered twice")));
}

TEST(Registry, RejectsMissingChecks) {
  StatusEndpoint no_check("MySQL", "db", "internal", Check{});
  EXPECT_THAT(registration_error(no_check), HasSubstr("'MySQL' has no status check"));
  auto traversable = ok_endpoint("service-1");
  traversable.traversable = true;
  EXPECT_THAT(registration_error(traversable), HasSubstr("traversable but has no traverse check"));
}

TEST(Registry, RejectsEmptyType) {
  auto endpoint = ok_endpoint("db");
  endpoint.type = "";
  EXPECT_THAT(registration_error(endpoint), HasSubstr("empty type"));
}

TEST(Registry, RejectsRegistrationAfterStart) {
  Registry registry;
  registry.add(ok_endpoint("db"));
  Router router(registry);
  EXPECT_THAT([&] { registry.add(ok_endpoint("cache")); },
              ::testing::ThrowsMessage<Error>(HasSubstr("already serving")));
}

TEST(Registry, KeepsRegistrationOrder) {
  Registry registry;
  registry.add(ok_endpoint("b")).add(ok_endpoint("a")).add(ok_endpoint("c"));
  const auto endpoints = registry.endpoints();
  ASSERT_EQ(endpoints.size(), 3u);
  EXPECT_EQ(endpoints[0]->slug, "b");
  EXPECT_EQ(endpoints[1]->slug, "a");
  EXPECT_EQ(endpoints[2]->slug, "c");
}

TEST(Registry, FillsTheHostName) {
  Registry registry;
  EXPECT_FALSE(registry.about().host.empty());
  EXPECT_EQ(registry.about().id, "N/A");
}

TEST(Registry, RejectsBadOptions) {
  RegistryOptions options;
  options.default_timeout = 0ms;
  EXPECT_THROW(Registry(About{}, options), Error);
  About about;
  about.custom_data = nlohmann::json::array();
  EXPECT_THROW(Registry{about}, Error);
}

// Outlives its registry and router without crashing: a check still running at shutdown.
// Threads of this process, from /proc (the registry's I/O and pool threads among them).
std::size_t thread_count() {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    (void)entry;
    ++count;
  }
  return count;
}

TEST(Registry, MakesNoThreadBeforeStart) {
  const auto before = thread_count();
  Registry registry;
  registry.add(ok_endpoint("db"));
  registry.add(ok_endpoint("cache"));
  EXPECT_EQ(thread_count(), before);  // filled and validated, nothing running
  registry.start();
  EXPECT_GT(thread_count(), before);
}

// A check whose level follows `up`, checked on every request.
StatusEndpoint switchable(std::shared_ptr<std::atomic<bool>> up) {
  return StatusEndpoint("Switch", "switch", "internal", [up] { return up->load(); });
}

TEST(Registry, SubscriptionsHearEveryChangeUntilTheyGo) {
  auto up = std::make_shared<std::atomic<bool>>(true);
  Registry registry;
  registry.add(switchable(up));
  std::mutex mutex;
  std::vector<std::string> first, second;
  auto a = registry.subscribe([&](const StatusChange& c) {
    std::lock_guard<std::mutex> lock(mutex);
    first.push_back(std::string(to_string(c.to)));
  });
  Router router(registry);
  // Added after start: any number, at any time.
  auto b = registry.subscribe([&](const StatusChange& c) {
    std::lock_guard<std::mutex> lock(mutex);
    second.push_back(std::string(to_string(c.to)));
  });
  up->store(false);
  router.handle("GET", "/status/switch");
  a.reset();
  EXPECT_FALSE(a);
  up->store(true);
  router.handle("GET", "/status/switch");
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_THAT(first, ::testing::ElementsAre("CRIT"));
  EXPECT_THAT(second, ::testing::ElementsAre("CRIT", "OK"));
}

TEST(Registry, ASubscriptionMayOutliveItsRegistry) {
  Subscription kept;
  {
    Registry registry;
    registry.add(ok_endpoint("db"));
    kept = registry.subscribe([](const StatusChange&) {});
    EXPECT_TRUE(kept);
  }
  kept.reset();  // the registry is gone: nothing to do, nothing to crash
  SUCCEED();
}

TEST(Registry, AnEmptyListenerIsRefused) {
  Registry registry;
  EXPECT_THROW((void)registry.subscribe(nullptr), Error);
}

TEST(Registry, RoutersMayOutliveItAndCopiesShareOneRouter) {
  std::optional<Router> copy;
  {
    Registry registry;
    registry.add(ok_endpoint("db"));
    Router router(registry);
    copy.emplace(router);
  }
  EXPECT_EQ(copy->handle("GET", "/status/aggregate").status, 200);
  EXPECT_THAT(copy->handle("GET", "/status/db").body, HasSubstr("OK"));
}

TEST(Registry, ShutsDownWhileACheckIsRunning) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  {
    Registry registry;
    registry.add(StatusEndpoint("Slow", "slow", "internal", [release] {
      while (!release->load()) std::this_thread::sleep_for(1ms);
      return true;
    }));
    registry.add(StatusEndpoint("Never", "never", "internal",
                                Check::async([](const CheckContext&, Completion done) {
                                  std::thread([done] {
                                    std::this_thread::sleep_for(50ms);
                                    done(Status::ok());
                                  }).detach();
                                })));
    Router router(registry);
    router.async_handle(Request{"GET", "/status/aggregate"}, [](Response) {});
    std::this_thread::sleep_for(10ms);
  }
  release->store(true);
  std::this_thread::sleep_for(100ms);  // the late completions find the registry gone
  SUCCEED();
}

TEST(RegistrySecrets, ASecretIsNeverShownInStatusesAboutOrHistory) {
  About about;
  about.id = "orders";
  about.custom_data["dsn"] = "postgres://orders:s3cret-pw@db";
  RegistryOptions options;
  options.secrets = {"s3cret-pw", "ab"};  // "ab" is too short to mask
  options.history_size = 5;
  std::vector<std::string> told;
  options.on_change = [&told](const StatusChange& change) {
    told.push_back(change.status.details);
  };
  Registry registry(about, options);
  registry.add(
      {"DB", "db", "internal", [] { return Status::crit("login with s3cret-pw failed (ab)"); }});
  Router router(registry);
  const auto aggregate = router.handle("GET", "/status/aggregate").body;
  EXPECT_THAT(aggregate, HasSubstr("login with *** failed (ab)"));
  const auto about_body = router.handle("GET", "/status/about").body;
  EXPECT_THAT(about_body, ::testing::Not(HasSubstr("s3cret-pw")));
  EXPECT_THAT(about_body, HasSubstr("postgres://orders:***@db"));
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0], "login with *** failed (ab)");
}

TEST(RegistryProblems, TimeoutsAndThrowsAreToldWithWhatTheySay) {
  RegistryOptions options;
  std::mutex mutex;
  std::vector<CheckProblem> problems;
  options.on_problem = [&](const CheckProblem& problem) {
    std::lock_guard<std::mutex> lock(mutex);
    problems.push_back(problem);
  };
  Registry registry(About{}, options);
  StatusEndpoint hung("Hung", "hung", "internal", [] {
    std::this_thread::sleep_for(300ms);
    return true;
  });
  hung.timeout = 50ms;
  registry.add(hung);
  registry.add(
      {"Throws", "throws", "internal", []() -> bool { throw std::runtime_error("boom"); }});
  registry.add({"Fine", "fine", "internal", [] { return Status::crit("down, but answering"); }});
  Router router(registry);
  (void)router.handle("GET", "/status/aggregate");
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(problems.size(), 2u);
  for (const auto& problem : problems) {
    if (problem.slug == "hung") {
      EXPECT_EQ(problem.kind, CheckProblem::Kind::timed_out);
      EXPECT_EQ(problem.details, "timed out after 50 ms");
    } else {
      EXPECT_EQ(problem.slug, "throws");
      EXPECT_EQ(problem.kind, CheckProblem::Kind::threw);
      EXPECT_EQ(problem.details, "check threw: boom");
    }
  }
}

}  // namespace
}  // namespace healthchecks
