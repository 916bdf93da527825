#include "healthchecks/status.hpp"

#include <gtest/gtest.h>

namespace healthchecks {
namespace {

TEST(Status, LevelsReadAsOnTheWire) {
  EXPECT_EQ(to_string(Level::ok), "OK");
  EXPECT_EQ(to_string(Level::warn), "WARN");
  EXPECT_EQ(to_string(Level::crit), "CRIT");
}

TEST(Status, ParseLevelIsExact) {
  EXPECT_EQ(parse_level("OK"), Level::ok);
  EXPECT_EQ(parse_level("WARN"), Level::warn);
  EXPECT_EQ(parse_level("CRIT"), Level::crit);
  EXPECT_EQ(parse_level("ok"), std::nullopt);
  EXPECT_EQ(parse_level("WARNING"), std::nullopt);
  EXPECT_EQ(parse_level(""), std::nullopt);
}

TEST(Status, WorstOrdersCritAboveWarnAboveOk) {
  EXPECT_EQ(worst(Level::ok, Level::warn), Level::warn);
  EXPECT_EQ(worst(Level::crit, Level::warn), Level::crit);
  EXPECT_EQ(worst(Level::ok, Level::ok), Level::ok);
}

TEST(Status, FactoriesSetLevelAndText) {
  const auto s = Status::crit("MySQL", "Can't connect");
  EXPECT_EQ(s.level, Level::crit);
  EXPECT_EQ(s.description, "MySQL");
  EXPECT_EQ(s.details, "Can't connect");
  EXPECT_EQ(Status::ok(), (Status{Level::ok, "", ""}));
  EXPECT_NE(Status::warn("a", "b"), Status::crit("a", "b"));
}

TEST(Status, OneArgumentWarnAndCritTakeTheDetails) {
  EXPECT_EQ(Status::crit("connection refused"), (Status{Level::crit, "", "connection refused"}));
  EXPECT_EQ(Status::warn("replica lag"), (Status{Level::warn, "", "replica lag"}));
}

TEST(Status, OneArgumentOkStillReadsTheDescriptionForOneRelease) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const auto s = Status::ok("MySQL");
#pragma GCC diagnostic pop
  EXPECT_EQ(s, Status::ok("MySQL", {}));
  EXPECT_EQ(Status::ok({}, "fine"), (Status{Level::ok, "", "fine"}));
}

}  // namespace
}  // namespace healthchecks
