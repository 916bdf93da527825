#include "healthchecks/check.hpp"

#include <gtest/gtest.h>

#include "support/matchers.hpp"

namespace healthchecks {
namespace {

using testing::IsStatus;

Status run(const Check& check) {
  CheckContext context;
  return check.sync_function()(context);
}

TEST(Check, BoolTrueIsOkFalseIsCrit) {
  EXPECT_EQ(run(Check([] { return true; })).level, Level::ok);
  EXPECT_THAT(run(Check([] { return false; })), IsStatus(Level::crit, "returned false"));
}

TEST(Check, StatusIsPassedThrough) {
  const Check check = [] { return Status::warn("Disk", "85% full"); };
  EXPECT_EQ(run(check), Status::warn("Disk", "85% full"));
  EXPECT_FALSE(check.is_async());
  EXPECT_TRUE(static_cast<bool>(check));
}

TEST(Check, EmptyOptionalIsCrit) {
  const Check check = []() -> std::optional<Status> { return std::nullopt; };
  EXPECT_THAT(run(check), IsStatus(Level::crit, "returned no status"));
}

TEST(Check, SeesItsContext) {
  const Check check = [](const CheckContext& ctx) { return Status::ok(std::string(ctx.name), {}); };
  CheckContext context;
  context.name = "MySQL";
  EXPECT_EQ(check.sync_function()(context).description, "MySQL");
}

TEST(Check, AsyncCompletesThroughCompletion) {
  const Check check =
      Check::async([](const CheckContext&, Completion done) { done(Status::crit("", "refused")); });
  EXPECT_TRUE(check.is_async());
}

TEST(Check, DefaultIsEmpty) {
  EXPECT_FALSE(static_cast<bool>(Check{}));
}

TEST(CheckContext, TimeLeftIsNeverNegative) {
  CheckContext context;
  context.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EXPECT_EQ(context.time_left().count(), 0);
  context.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  EXPECT_GT(context.time_left().count(), 9000);
}

}  // namespace
}  // namespace healthchecks
