#include "walk/watch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/walk/fake_services.hpp"

namespace healthchecks::walk {
namespace {

using ::testing::ElementsAre;
using testing::FakeServices;
using ::testing::MatchesRegex;
using testing::walk_all;

Graph graph_with(Level db, Level queue) {
  FakeServices services("root");
  services.add("root", "a", worst(db, queue), worst(db, queue) == Level::ok ? "" : "a down", "a")
      .add("a", "db", db, db == Level::ok ? "" : "refused", "")
      .add("a", "queue", queue, "", "");
  return walk_all(services);
}

TEST(WatchDiff, NothingChangedPrintsNothing) {
  EXPECT_TRUE(
      diff(graph_with(Level::ok, Level::ok), graph_with(Level::ok, Level::ok), "T").empty());
}

TEST(WatchDiff, LevelChangesOneLineEachWithTheTime) {
  const auto down = graph_with(Level::crit, Level::ok);
  const auto up = graph_with(Level::ok, Level::ok);
  EXPECT_THAT(diff(up, down, "2024-05-01T12:00:00Z"),
              ElementsAre("2024-05-01T12:00:00Z  Service a > db [db]: OK -> CRIT: refused",
                          "2024-05-01T12:00:00Z  Service root > a [a]: OK -> CRIT: a down"));
  EXPECT_THAT(diff(down, up, "T"), ElementsAre("T  Service a > db [db]: CRIT -> OK",
                                               "T  Service root > a [a]: CRIT -> OK"));
}

TEST(WatchDiff, RootLostAndReachedAgain) {
  const auto up = graph_with(Level::ok, Level::ok);
  Graph lost;
  lost.url = up.url;
  lost.root_error = "connect: Connection refused";
  EXPECT_THAT(
      diff(up, lost, "T"),
      ElementsAre("T  http://127.0.0.1:8080/status: not reached: connect: Connection refused"));
  EXPECT_TRUE(diff(lost, lost, "T").empty());
  EXPECT_THAT(diff(lost, up, "T"), ElementsAre("T  http://127.0.0.1:8080/status: reached again"));
}

TEST(WatchDiff, DependenciesThatComeAndGo) {
  FakeServices services("root");
  services.add("root", "db", Level::ok, "", "");
  const auto before = walk_all(services);
  services.add("root", "cache", Level::warn, "slow\x1b[2J", "");
  const auto after = walk_all(services);
  EXPECT_THAT(diff(before, after, "T"),
              ElementsAre("T  Service root > cache [cache]: new, WARN: slow\\x1b[2J"));
  EXPECT_THAT(diff(after, before, "T"),
              ElementsAre("T  Service root > cache [cache]: gone (was WARN)"));
}

TEST(WatchDiff, StampIsUtcIso8601) {
  EXPECT_THAT(utc_stamp(), MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
}

}  // namespace
}  // namespace healthchecks::walk
