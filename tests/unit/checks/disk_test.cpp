#include "healthchecks/checks/disk.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "support/check_runner.hpp"
#include "support/matchers.hpp"

namespace healthchecks {
namespace {

using testing::IsStatus;
using ::testing::MatchesRegex;
using testing::run_check;

checks::DiskOptions at(const std::string& path, double warn, double crit) {
  checks::DiskOptions options;
  options.path = path;
  options.warn_percent_free = warn;
  options.crit_percent_free = crit;
  return options;
}

TEST(DiskCheck, ReportsFreeSpaceAgainstItsThresholds) {
  const auto fine = run_check(checks::disk(at("/", 0, 0)));
  EXPECT_EQ(fine.level, Level::ok);
  EXPECT_THAT(
      fine.details,
      MatchesRegex(R"(/: [0-9.]+% free \([0-9.]+ of [0-9.]+ GiB\); WARN below 0%, CRIT below 0%)"));
  // Nothing is ever 100% free: these thresholds make the same disk WARN, then CRIT.
  EXPECT_THAT(run_check(checks::disk(at("/", 100, 0))), IsStatus(Level::warn, "WARN below 100%"));
  EXPECT_THAT(run_check(checks::disk(at("/", 100, 100))), IsStatus(Level::crit, "CRIT below 100%"));
}

TEST(DiskCheck, AnUnreadablePathIsCrit) {
  EXPECT_THAT(run_check(checks::disk(at("/no/such/path", 10, 5))),
              IsStatus(Level::crit, "cannot read the file system of /no/such/path: No such file"));
}

TEST(DiskCheck, RejectsThresholdsInTheWrongOrder) {
  EXPECT_THROW(checks::disk(at("/", 5, 10)), Error);
  EXPECT_THROW(checks::disk(at("/", 120, 10)), Error);
  EXPECT_THROW(checks::disk(at("/", 10, -1)), Error);
}

// A C++ caller reads the names of DiskOptions' fields, not the sidecar's JSON keys.
TEST(DiskCheck, ErrorsNameTheCppFields) {
  EXPECT_THAT([] { checks::disk(at("/data", 5, 10)); },
              ::testing::ThrowsMessage<Error>(::testing::StrEq(
                  "check: disk /data: expected 0 <= crit_percent_free <= warn_percent_free <= "
                  "100, found crit_percent_free 10 and warn_percent_free 5")));
  EXPECT_THAT([] { checks::disk(at("/", 120, 10)); },
              ::testing::ThrowsMessage<Error>(
                  ::testing::AllOf(::testing::HasSubstr("warn_percent_free 120"),
                                   ::testing::Not(::testing::HasSubstr("PercentFree")))));
  EXPECT_THAT([] { checks::disk(at("", 10, 5)); },
              ::testing::ThrowsMessage<Error>(
                  ::testing::StrEq("check: disk: path is empty; expected a path such as \"/\"")));
  EXPECT_THAT([] { checks::disk(at(std::string("/a\0b", 4), 10, 5)); },
              ::testing::ThrowsMessage<Error>(::testing::HasSubstr("path holds a NUL character")));
}

}  // namespace
}  // namespace healthchecks
