// The registry's protections for a service that is polled hard: deadlines, single-flight,
// caching, background refresh, freshness, flap dampening and the change listener.
#include "healthchecks/registry.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "healthchecks/router.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A blocking check that sleeps until released (or 60 s), counting its executions. The check
// owns what it touches: a registry does not wait for a hung check, so it may outlive the test.
class Sleeper {
 public:
  ~Sleeper() { release(); }
  Check check(std::chrono::milliseconds sleep = 60s) {
    return [state = state_, sleep] {
      ++state->executions;
      std::unique_lock<std::mutex> lock(state->mutex);
      state->wake.wait_for(lock, sleep, [&] { return state->released; });
      return true;
    };
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->released = true;
    }
    state_->wake.notify_all();
  }
  int executions() const { return state_->executions.load(); }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable wake;
    bool released = false;
    std::atomic<int> executions{0};
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// A check that answers the levels of a script in turn (the last one from then on).
class Script {
 public:
  explicit Script(std::vector<Level> levels) : levels_(std::move(levels)) {}
  Check check() {
    return [levels = levels_, executions = executions_] {
      const int n = (*executions)++;
      const auto level = levels[std::min<std::size_t>(n, levels.size() - 1)];
      return Status{level, "", "run " + std::to_string(n + 1)};
    };
  }

 private:
  std::vector<Level> levels_;
  std::shared_ptr<std::atomic<int>> executions_ = std::make_shared<std::atomic<int>>(0);
};

using Counter = std::shared_ptr<std::atomic<int>>;
Counter counter() {
  return std::make_shared<std::atomic<int>>(0);
}

Check counting(Counter executions, std::chrono::milliseconds sleep = 0ms, Level level = Level::ok) {
  return [executions, sleep, level] {
    ++*executions;
    if (sleep.count() > 0) std::this_thread::sleep_for(sleep);
    return Status{level, "", ""};
  };
}

template <class F>
std::chrono::milliseconds timed(F&& f) {
  const auto start = Clock::now();
  f();
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// --- Deadlines ---------------------------------------------------------------------------------

TEST(RegistryDeadline, HungCheckAnswersCritAtItsDeadlineAndTheServiceGoesOn) {
  Sleeper sleeper;
  Registry registry;
  StatusEndpoint hung("Hung DB", "db", "internal", sleeper.check(60s));
  hung.timeout = 300ms;
  registry.add(hung);
  registry.add({"Cache", "cache", "internal", [] { return true; }});
  Router router(registry);

  auto slow = std::async(std::launch::async, [&] { return router.handle("GET", "/status/db"); });
  std::this_thread::sleep_for(50ms);
  // While the hung check holds its thread, everything else answers at once.
  EXPECT_LT(timed([&] { EXPECT_EQ(router.handle("GET", "/status/am-i-up").body, "OK"); }), 100ms);
  EXPECT_LT(timed([&] { EXPECT_EQ(router.handle("GET", "/status/cache").body, R"(["OK"])"); }),
            100ms);
  Response answer;
  EXPECT_LT(timed([&] { answer = slow.get(); }), 1000ms);
  EXPECT_EQ(
      answer.body,
      R"(["CRIT",{"description":"Hung DB","result":"CRIT","details":"timed out after 300 ms"}])");
  // The aggregate does not wait for the hung check longer than its deadline either.
  EXPECT_LT(timed([&] {
              EXPECT_THAT(router.handle("GET", "/status/aggregate").body, HasSubstr("timed out"));
            }),
            1000ms);
}

TEST(RegistryDeadline, AHungCheckPinsOneWorkerNoMatterHowOftenItIsAsked) {
  Sleeper sleeper;
  Registry registry;
  StatusEndpoint hung("Hung", "hung", "internal", sleeper.check(60s));
  hung.timeout = 50ms;
  registry.add(hung);
  Router router(registry);
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(router.handle("GET", "/status/hung").body, HasSubstr("timed out after 50 ms"));
  }
  EXPECT_EQ(sleeper.executions(), 1) << "no second execution while the first still runs";
  // A request that joined the hung execution says so.
  EXPECT_THAT(router.handle("GET", "/status/hung").body,
              HasSubstr("an earlier execution, started"));
  sleeper.release();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(router.handle("GET", "/status/hung").body, R"(["OK"])") << "a new run once it returned";
  EXPECT_EQ(sleeper.executions(), 2);
}

TEST(RegistryDeadline, DefaultIsTwoSecondsAndSettableGloballyAndPerEndpoint) {
  RegistryOptions options;
  EXPECT_EQ(options.default_timeout, 2000ms);
  options.default_timeout = 100ms;
  Sleeper sleeper;
  Registry registry(About{}, options);
  registry.add({"Global", "global", "internal", sleeper.check()});
  StatusEndpoint own("Own", "own", "internal", sleeper.check());
  own.timeout = 200ms;
  registry.add(own);
  Router router(registry);
  EXPECT_THAT(router.handle("GET", "/status/global").body, HasSubstr("timed out after 100 ms"));
  EXPECT_THAT(router.handle("GET", "/status/own").body, HasSubstr("timed out after 200 ms"));
}

TEST(RegistryDeadline, AnAsyncCheckThatNeverCompletesTimesOut) {
  Registry registry;
  auto kept = std::make_shared<std::vector<Completion>>();  // keeps the handlers, never calls
  StatusEndpoint silent(
      "Silent", "silent", "internal",
      Check::async([kept](const CheckContext&, Completion done) { kept->push_back(done); }));
  silent.timeout = 100ms;
  registry.add(silent);
  Router router(registry);
  EXPECT_THAT(router.handle("GET", "/status/silent").body, HasSubstr("timed out after 100 ms"));
}

// --- Single-flight and caching ---------------------------------------------------------------

TEST(RegistryCoalescing, ConcurrentRequestsShareOneExecution) {
  auto executions = counter();
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", counting(executions, 100ms));
  db.cache_ttl = 2000ms;
  registry.add(db);
  Router router(registry);

  constexpr int kRequests = 200;
  std::atomic<int> answered{0};
  std::promise<void> all;
  for (int i = 0; i < kRequests; ++i) {
    router.async_handle(Request("GET", "/status/db"), [&](Response r) {
      EXPECT_EQ(r.body, R"(["OK"])");
      if (++answered == kRequests) all.set_value();
    });
  }
  ASSERT_EQ(all.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(executions->load(), 1);
  // And within the time-to-live, later requests come from memory.
  for (int i = 0; i < 50; ++i) (void)router.handle("GET", "/status/aggregate");
  EXPECT_EQ(executions->load(), 1);
}

TEST(RegistryCoalescing, WithoutCacheConcurrentRequestsStillShareTheRunningExecution) {
  auto executions = counter();
  Registry registry;
  registry.add({"DB", "db", "internal", counting(executions, 200ms)});
  Router router(registry);
  std::vector<std::future<Response>> answers;
  for (int i = 0; i < 20; ++i) {
    answers.push_back(
        std::async(std::launch::async, [&] { return router.handle("GET", "/status/db"); }));
  }
  for (auto& a : answers) EXPECT_EQ(a.get().body, R"(["OK"])");
  EXPECT_LE(executions->load(), 2) << "requests that overlap the running execution join it";
  (void)router.handle("GET", "/status/db");
  EXPECT_EQ(executions->load() >= 2, true) << "no cache: a later request runs the check again";
}

TEST(RegistryCache, AnswersFromMemoryWithinItsTimeToLive) {
  auto executions = counter();
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", counting(executions));
  db.cache_ttl = 150ms;
  registry.add(db);
  Router router(registry);
  const auto first = router.handle("GET", "/status/db");
  EXPECT_EQ(first.header("Cache-Control"), "max-age=0");  // 150 ms: less than a second left
  EXPECT_EQ(first.header("Age"), "");                     // just produced
  const auto second = router.handle("GET", "/status/db");
  EXPECT_EQ(second.header("Age"), "0");  // from memory
  EXPECT_EQ(executions->load(), 1);
  std::this_thread::sleep_for(200ms);
  (void)router.handle("GET", "/status/db");
  EXPECT_EQ(executions->load(), 2) << "expired: run again";
}

TEST(RegistryCache, CacheControlTellsTheRealRemainingFreshness) {
  auto executions = counter();
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", counting(executions));
  db.cache_ttl = 10s;
  registry.add(db);
  registry.add({"Uncached", "uncached", "internal", [] { return true; }});
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/db").header("Cache-Control"), "max-age=10");
  std::this_thread::sleep_for(1100ms);
  const auto later = router.handle("GET", "/status/db");
  EXPECT_EQ(later.header("Cache-Control"), "max-age=8");
  EXPECT_EQ(later.header("Age"), "1");
  // An answer made of a cached and an uncached result is as fresh as the least fresh.
  EXPECT_EQ(router.handle("GET", "/status/aggregate").header("Cache-Control"), "no-cache");
  EXPECT_EQ(router.handle("GET", "/status/aggregate?type=internal").header("Cache-Control"),
            "no-cache");
  EXPECT_EQ(router.handle("GET", "/status/am-i-up").header("Cache-Control"), "no-cache");
}

TEST(RegistryCache, AboutShowsTheAgeOfRememberedResults) {
  auto executions = counter();
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", counting(executions));
  db.cache_ttl = 10s;
  registry.add(db);
  Router router(registry);
  auto about = nlohmann::json::parse(router.handle("GET", "/status/about").body);
  EXPECT_FALSE(about["dependencies"][0].contains("statusAge")) << "fresh from the check";
  about = nlohmann::json::parse(router.handle("GET", "/status/about").body);
  EXPECT_TRUE(about["dependencies"][0]["statusAge"].is_number());
  EXPECT_LT(about["dependencies"][0]["statusAge"].get<double>(), 1.0);
}

// --- Background refresh ------------------------------------------------------------------------

TEST(RegistryBackground, RequestsNeverWaitAndResultsStayFresh) {
  auto executions = counter();
  auto level = std::make_shared<std::atomic<Level>>(Level::ok);
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [executions, level] {
    ++*executions;
    std::this_thread::sleep_for(300ms);  // a slow dependency
    return Status{level->load(), "", ""};
  });
  db.interval = 50ms;
  registry.add(db);
  Router router(registry);
  // The first result comes from the first background run (the first request waits for it).
  EXPECT_EQ(router.handle("GET", "/status/db").body, R"(["OK"])");
  // From then on, answers come from memory: no request waits for the 300 ms check.
  for (int i = 0; i < 5; ++i) {
    EXPECT_LT(timed([&] { EXPECT_EQ(router.handle("GET", "/status/db").body, R"(["OK"])"); }),
              150ms);
  }
  // The background keeps running without requests, and picks up a change by itself.
  *level = Level::crit;
  const int before = executions->load();
  std::this_thread::sleep_for(900ms);
  EXPECT_GE(executions->load(), before + 2);
  EXPECT_LT(timed([&] {
              EXPECT_THAT(router.handle("GET", "/status/db").body, StartsWith(R"(["CRIT")"));
            }),
            150ms);
}

TEST(RegistryBackground, BeforeTheFirstResultWarnIfAskedTo) {
  RegistryOptions options;
  options.first_result = FirstResult::warn;
  Registry registry(About{}, options);
  StatusEndpoint db("DB", "db", "internal", [] {
    std::this_thread::sleep_for(200ms);
    return true;
  });
  db.interval = 1000ms;
  registry.add(db);
  Router router(registry);
  EXPECT_EQ(
      router.handle("GET", "/status/db").body,
      R"(["WARN",{"description":"DB","result":"WARN","details":"not checked yet: the first background check has not finished"}])");
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(router.handle("GET", "/status/db").body, R"(["OK"])");
}

TEST(RegistryBackground, ByDefaultTheFirstRequestWaitsForTheFirstResult) {
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", [] {
    std::this_thread::sleep_for(100ms);
    return true;
  });
  db.interval = 1000ms;
  registry.add(db);
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/db").body, R"(["OK"])")
      << "never a silent OK, never a WARN";
}

// --- Freshness ---------------------------------------------------------------------------------

TEST(RegistryFreshness, AResultOlderThanItsLimitIsNotOk) {
  auto executions = counter();
  Registry registry;
  StatusEndpoint db("DB", "db", "internal", counting(executions));
  db.interval = 10s;     // nobody will refresh it in time ...
  db.max_stale = 100ms;  // ... for this limit
  registry.add(db);
  Router router(registry);
  EXPECT_EQ(router.handle("GET", "/status/db").body, R"(["OK"])");
  std::this_thread::sleep_for(200ms);
  const auto stale = router.handle("GET", "/status/db");
  EXPECT_THAT(
      stale.body,
      StartsWith(
          R"(["WARN",{"description":"DB","result":"WARN","details":"stale: the last result is )"));
  EXPECT_THAT(stale.body, HasSubstr("older than the 100 ms limit; it said OK"));
  EXPECT_EQ(stale.header("Cache-Control"), "no-cache");
}

// --- Flap dampening --------------------------------------------------------------------------

TEST(RegistryDampening, NeedsConsecutiveFailuresBeforeCritAndSuccessesBeforeOk) {
  Script script({Level::crit, Level::crit, Level::ok, Level::crit, Level::crit, Level::crit,
                 Level::ok, Level::ok});
  Registry registry;
  StatusEndpoint link("Link", "link", "external", script.check());
  link.failures_before_crit = 3;
  link.successes_before_ok = 2;
  registry.add(link);
  Router router(registry);
  const auto get = [&] { return router.handle("GET", "/status/v2/link").body; };
  EXPECT_EQ(
      get(),
      R"({"description":"Link","result":"OK","details":"1 of 3 consecutive failures before CRIT; last: run 1"})");
  EXPECT_THAT(get(), HasSubstr(R"("result":"OK","details":"2 of 3 consecutive)"));
  EXPECT_EQ(get(), R"({"description":"Link","result":"OK","details":"run 3"})")
      << "the run was broken";
  EXPECT_THAT(get(), HasSubstr(R"("result":"OK")"));
  EXPECT_THAT(get(), HasSubstr(R"("result":"OK")"));
  EXPECT_EQ(get(), R"({"description":"Link","result":"CRIT","details":"run 6"})");
  EXPECT_EQ(
      get(),
      R"json({"description":"Link","result":"CRIT","details":"run 6 (recovering: 1 of 2 consecutive OK results)"})json");
  EXPECT_EQ(get(), R"({"description":"Link","result":"OK","details":"run 8"})");
}

// --- Listener and history --------------------------------------------------------------------

TEST(RegistryListener, SeesEachTransitionOnceInOrder) {
  Script script({Level::ok, Level::crit, Level::crit, Level::ok, Level::warn, Level::warn,
                 Level::crit, Level::ok});
  std::mutex mutex;
  std::vector<std::string> seen;
  RegistryOptions options;
  options.on_change = [&](const StatusChange& change) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(change.slug + ":" + std::string(to_string(change.from)) + "->" +
                   std::string(to_string(change.to)) + ":" + change.status.details);
  };
  Registry registry(About{}, options);
  registry.add({"DB", "db", "internal", script.check()});
  Router router(registry);
  for (int i = 0; i < 8; ++i) (void)router.handle("GET", "/status/db");
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(seen,
            (std::vector<std::string>{"db:OK->CRIT:run 2", "db:CRIT->OK:run 4", "db:OK->WARN:run 5",
                                      "db:WARN->CRIT:run 7", "db:CRIT->OK:run 8"}));
}

// An endpoint counts as OK before its first result: a dependency down at start-up is a change,
// one that is up is not.
TEST(RegistryListener, AFirstResultThatIsNotOkIsAChangeFromOk) {
  std::vector<std::string> seen;
  RegistryOptions options;
  options.on_change = [&](const StatusChange& change) {
    seen.push_back(change.slug + ":" + std::string(to_string(change.from)) + "->" +
                   std::string(to_string(change.to)));
  };
  Registry registry(About{}, options);
  registry.add({"Down", "down", "internal", [] { return false; }});
  registry.add({"Up", "up", "internal", [] { return true; }});
  Router router(registry);
  (void)router.handle("GET", "/status/down");
  (void)router.handle("GET", "/status/up");
  EXPECT_EQ(seen, std::vector<std::string>{"down:OK->CRIT"});
}

TEST(RegistryListener, ConcurrentRequestsDoNotRepeatATransition) {
  std::atomic<int> calls{0};
  RegistryOptions options;
  options.on_change = [&](const StatusChange&) { ++calls; };
  Registry registry(About{}, options);
  registry.add({"DB", "db", "internal", [] {
                  std::this_thread::sleep_for(20ms);
                  return false;
                }});
  Router router(registry);
  std::vector<std::future<Response>> answers;
  for (int i = 0; i < 50; ++i) {
    answers.push_back(
        std::async(std::launch::async, [&] { return router.handle("GET", "/status/aggregate"); }));
  }
  for (auto& a : answers) (void)a.get();
  EXPECT_EQ(calls.load(), 1) << "CRIT from the first result on: one transition";
}

TEST(RegistryListener, AThrowingListenerChangesNothing) {
  RegistryOptions options;
  options.on_change = [](const StatusChange&) { throw std::runtime_error("listener bug"); };
  Registry registry(About{}, options);
  registry.add({"DB", "db", "internal", [] { return false; }});
  Router router(registry);
  EXPECT_THAT(router.handle("GET", "/status/db").body, StartsWith(R"(["CRIT")"));
}

TEST(RegistryHistory, RecentChangesShowInAboutsCustomData) {
  Script script({Level::ok, Level::crit, Level::ok, Level::warn});
  RegistryOptions options;
  options.history_size = 2;
  options.history_key = "recentChanges";
  About about;
  about.custom_data["team"] = "core";
  Registry registry(about, options);
  registry.add({"DB", "db", "internal", script.check()});
  Router router(registry);
  for (int i = 0; i < 4; ++i) (void)router.handle("GET", "/status/db");
  const auto json =
      nlohmann::json::parse(router.handle("GET", "/status/v2/about?checkStatus=false").body);
  EXPECT_EQ(json["customData"]["team"], "core");
  const auto& changes = json["customData"]["recentChanges"];
  ASSERT_EQ(changes.size(), 2u) << "the last two of three changes";
  EXPECT_EQ(changes[0]["from"], "CRIT");
  EXPECT_EQ(changes[0]["to"], "OK");
  EXPECT_EQ(changes[1]["slug"], "db");
  EXPECT_EQ(changes[1]["name"], "DB");
  EXPECT_EQ(changes[1]["to"], "WARN");
  EXPECT_EQ(changes[1]["details"], "run 4");
  EXPECT_THAT(changes[1]["time"].get<std::string>(),
              ::testing::MatchesRegex(
                  R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)"));
}

}  // namespace
}  // namespace healthchecks
