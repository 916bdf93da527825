#include "healthchecks/testing.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>

#include "healthchecks/asio/executor.hpp"
#include "healthchecks/error.hpp"
#include "support/matchers.hpp"

namespace healthchecks {
namespace {

using namespace std::chrono_literals;
using testing::IsStatus;

// What a user writes: an asynchronous check on the registry's executor, with an Asio timer.
Check timer_check(std::chrono::milliseconds wait) {
  return Check::async([wait](const CheckContext& context, Completion done) {
    auto timer = std::make_shared<boost::asio::steady_timer>(asio::executor(context), wait);
    timer->async_wait([timer, done](const boost::system::error_code& ec) {
      done(ec ? Status::crit(ec.message()) : Status::ok({}, "timer fired"));
    });
  });
}

TEST(Testing, RunsASynchronousCheck) {
  EXPECT_EQ(run_once([] { return true; }).level, Level::ok);
  EXPECT_THAT(run_once([] { return Status::warn("lagging"); }), IsStatus(Level::warn, "lagging"));
  EXPECT_THAT(run_once([] { return false; }), IsStatus(Level::crit, "check returned false"));
}

TEST(Testing, RunsAnAsioCheckOnTheExecutor) {
  EXPECT_THAT(run_once(timer_check(10ms), 1s), IsStatus(Level::ok, "timer fired"));
}

TEST(Testing, ScheduleWaitsWithoutAsio) {
  const auto check = Check::async([](const CheckContext& context, Completion done) {
    const auto at = std::chrono::steady_clock::now() + 10ms;
    EXPECT_TRUE(context.schedule(at, [done, at] {
      done(std::chrono::steady_clock::now() >= at ? Status::ok({}, "on time")
                                                  : Status::crit("early"));
    }));
  });
  EXPECT_THAT(run_once(check, 1s), IsStatus(Level::ok, "on time"));
}

TEST(Testing, ACheckThatNeverAnswersTimesOut) {
  std::vector<Completion> kept;  // never called, never dropped until the end
  const auto start = std::chrono::steady_clock::now();
  const auto status = run_once(
      Check::async([&kept](const CheckContext&, Completion done) { kept.push_back(done); }), 100ms);
  EXPECT_THAT(status, IsStatus(Level::crit, "timed out after 100 ms"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_THAT(run_once(timer_check(10s), 50ms), IsStatus(Level::crit, "timed out after 50 ms"));
}

TEST(Testing, ABlockingCheckPastTheDeadlineKeepsItsRuntime) {
  // run_once returns at the deadline; the check goes on, and its context's runtime serves it
  // until it returns.
  auto fired = std::make_shared<std::promise<void>>();
  auto fired_future = fired->get_future().share();
  auto scheduled = std::make_shared<std::promise<bool>>();
  auto later = scheduled->get_future();
  const auto status = run_once(
      [fired, fired_future, scheduled](const CheckContext& context) {
        std::this_thread::sleep_for(200ms);
        const bool accepted =
            context.schedule(std::chrono::steady_clock::now(), [fired] { fired->set_value(); });
        scheduled->set_value(accepted && fired_future.wait_for(5s) == std::future_status::ready);
        return true;
      },
      20ms);
  EXPECT_THAT(status, IsStatus(Level::crit, "timed out after 20 ms"));
  ASSERT_EQ(later.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(later.get());
}

TEST(Testing, ACheckThatThrowsIsCrit) {
  EXPECT_THAT(run_once([]() -> bool { throw std::runtime_error("no database"); }),
              IsStatus(Level::crit, "check threw: no database"));
  EXPECT_THAT(run_once(Check::async([](const CheckContext&, Completion) { throw 42; })),
              IsStatus(Level::crit, "check threw an exception that is not a std::exception"));
  // executor() outside a runtime throws; inside run_once there is one.
  EXPECT_THROW(asio::executor(CheckContext{}), Error);
}

TEST(Testing, ADroppedCompletionIsCrit) {
  EXPECT_THAT(run_once(Check::async([](const CheckContext&, Completion) {})),
              IsStatus(Level::crit, "check finished without reporting a status"));
}

TEST(Testing, MakeCompletionReportsOnce) {
  std::vector<Status> seen;
  {
    const Completion done = make_completion([&seen](Status s) { seen.push_back(std::move(s)); });
    done(Status::ok({}, "first"));
    done(Status::crit("second"));
  }
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_THAT(seen[0], IsStatus(Level::ok, "first"));

  std::optional<Status> dropped;
  make_completion([&dropped](Status s) { dropped = std::move(s); });
  ASSERT_TRUE(dropped);
  EXPECT_THAT(*dropped, IsStatus(Level::crit, "check finished without reporting a status"));
}

TEST(Testing, ScheduleWithoutARuntimeSaysSo) {
  EXPECT_FALSE(CheckContext{}.schedule(std::chrono::steady_clock::now(), [] {}));
}

}  // namespace
}  // namespace healthchecks
