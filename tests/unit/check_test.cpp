#include "healthchecks/check.hpp"

#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include "support/check_runner.hpp"
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
      Check::async([](const CheckContext&, Completion done) { done(Status::crit("refused")); });
  EXPECT_TRUE(check.is_async());
}

TEST(Check, ComponentTypeIsComponentUnlessSet) {
  Check plain = [] { return true; };
  EXPECT_EQ(plain.component_type(), "component");
  EXPECT_EQ(Check().component_type(), "component");
  // On a temporary, as a factory returns it, and on a check held by name.
  const Check db = Check([] { return true; }).with_component_type("datastore");
  EXPECT_EQ(db.component_type(), "datastore");
  EXPECT_EQ(run(db).level, Level::ok);  // the check itself is kept
  plain.with_component_type("queue").with_component_type("system");
  EXPECT_EQ(plain.component_type(), "system");
  const Check copy = plain;
  EXPECT_EQ(copy.component_type(), "system");
  EXPECT_EQ(Check::async([](const CheckContext&, Completion) {})
                .with_component_type("datastore")
                .component_type(),
            "datastore");
}

TEST(Check, DefaultIsEmpty) {
  EXPECT_FALSE(static_cast<bool>(Check{}));
}

TEST(Check, TakesMoveOnlyCallables) {
  auto answer = std::make_unique<Status>(Status::warn("replica lag"));
  Check check = [answer = std::move(answer)] { return *answer; };
  const Check copy = check;  // copies share the one callable
  EXPECT_EQ(run(check), Status::warn("replica lag"));
  EXPECT_EQ(run(copy), Status::warn("replica lag"));

  auto count = std::make_unique<int>(0);
  const Check counting = [count = std::move(count)](const CheckContext&) mutable {
    return ++*count < 2;
  };
  EXPECT_EQ(run(counting).level, Level::ok);
  EXPECT_EQ(run(counting).level, Level::crit);
}

TEST(Check, AsyncTakesMoveOnlyCallables) {
  auto answer = std::make_unique<Status>(Status::warn("slow"));
  const Check check = Check::async(
      [answer = std::move(answer)](const CheckContext&, Completion done) { done(*answer); });
  EXPECT_TRUE(check.is_async());
  EXPECT_THAT(testing::run_check(check), IsStatus(Level::warn, "slow"));
}

TEST(Check, TakesFunctionsAndStdFunctions) {
  EXPECT_EQ(run(Check(+[] { return true; })).level, Level::ok);
  const std::function<Status(const CheckContext&)> function = [](const CheckContext&) {
    return Status::crit("down");
  };
  EXPECT_EQ(run(function), Status::crit("down"));
}

TEST(Check, AcceptsOnlyCheckShapes) {
  // Wrong shapes fail with a static_assert naming the signatures (the CTest
  // Check.WrongShapeNamesTheSignatures compiles them); here, what is not callable at all is no
  // Check, so overloads that take one stay unambiguous.
  EXPECT_FALSE((std::is_convertible_v<int, Check>));
  EXPECT_FALSE((std::is_convertible_v<const char*, Check>));
  EXPECT_FALSE((std::is_convertible_v<std::string, Check>));
  EXPECT_TRUE((std::is_convertible_v<bool (*)(), Check>));
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
