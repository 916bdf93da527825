#include "walk/findings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/walk/fake_services.hpp"

namespace healthchecks::walk {
namespace {

using testing::FakeServices;
using ::testing::HasSubstr;
using testing::node_named;
using ::testing::UnorderedElementsAre;
using testing::walk_all;

std::vector<std::string> names(const Graph& graph, const std::vector<Finding>& findings) {
  std::vector<std::string> list;
  for (const auto& finding : findings) list.push_back(graph.nodes[finding.node].name);
  return list;
}

TEST(RootCauses, CritLeafIsNamedNotTheServicesAboveIt) {
  FakeServices services("root");
  services.add("root", "a", Level::crit, "a check failed: CRIT - db", "a")
      .add("a", "db", Level::crit, "connection refused", "");
  const auto graph = walk_all(services);
  const auto findings = analyse(graph);
  EXPECT_THAT(names(graph, findings.root_causes), UnorderedElementsAre("db"));
  EXPECT_EQ(findings.root_causes[0].details, "connection refused");
  EXPECT_EQ(findings.root_causes[0].seen_from,
            std::vector<std::size_t>{node_named(graph, "Service a")});
  EXPECT_EQ(findings.worst, Level::crit);
}

TEST(RootCauses, CritServiceWithHealthyDependenciesIsNamed) {
  FakeServices services("root");
  services.add("root", "a", Level::crit, "a answered 500", "a")
      .add("a", "db", Level::ok, "", "")
      .add("a", "cache", Level::warn, "slow", "");
  const auto graph = walk_all(services);
  const auto findings = analyse(graph);
  EXPECT_THAT(names(graph, findings.root_causes), UnorderedElementsAre("Service a"));
  EXPECT_THAT(names(graph, findings.degraded), UnorderedElementsAre("cache"));
}

TEST(RootCauses, CritChainNamesOnlyTheBottom) {
  FakeServices services("root");
  services.add("root", "a", Level::crit, "", "a")
      .add("a", "b", Level::crit, "", "b")
      .add("b", "c", Level::crit, "", "c")
      .add("c", "disk", Level::crit, "full", "")
      .add("c", "db", Level::ok, "", "");
  const auto graph = walk_all(services);
  const auto findings = analyse(graph);
  EXPECT_THAT(names(graph, findings.root_causes), UnorderedElementsAre("disk"));
}

TEST(RootCauses, SharedDependencyIsNamedOnceWithWhereItWasSeen) {
  FakeServices services("root");
  services.add("root", "a", Level::crit, "", "a")
      .add("root", "b", Level::crit, "", "b")
      .add("a", "c", Level::crit, "", "c")
      .add("b", "c", Level::crit, "", "c")
      .add("c", "db", Level::crit, "refused", "");
  auto graph = walk_all(services);
  auto findings = analyse(graph);
  ASSERT_THAT(names(graph, findings.root_causes), UnorderedElementsAre("db"));

  // An unreachable shared service: both traversals name the same URL.
  const Fetched down{"", 200,
                     R"(["CRIT",{"description":"Traverse","result":"CRIT","details":)"
                     R"("GET http://10.0.0.9:80/status/traverse: connect: Connection refused"}])"};
  services.answer("/status/traverse?dependencies=a,c&action=about", down)
      .answer("/status/traverse?dependencies=b,c&action=about", down);
  graph = walk_all(services);
  findings = analyse(graph);
  ASSERT_EQ(findings.root_causes.size(), 1u);
  EXPECT_EQ(graph.nodes[findings.root_causes[0].node].name, "c");
  EXPECT_THAT(findings.root_causes[0].details, HasSubstr("Connection refused"));
  EXPECT_EQ(findings.root_causes[0].seen_from.size(), 2u);
  EXPECT_EQ(findings.unreachable.size(), 1u);
}

TEST(RootCauses, WarnIsDegradedNotARootCause) {
  FakeServices services("root");
  services.add("root", "a", Level::warn, "", "a").add("a", "queue", Level::warn, "lag", "");
  const auto graph = walk_all(services);
  const auto findings = analyse(graph);
  EXPECT_TRUE(findings.root_causes.empty());
  EXPECT_THAT(names(graph, findings.degraded), UnorderedElementsAre("queue"));
  EXPECT_EQ(exit_code(graph, findings), 1);
}

TEST(RootCauses, CritCycleWithNothingBelowNamesTheCycle) {
  FakeServices services("root");
  services.add("root", "a", Level::crit, "", "a")
      .add("a", "b", Level::crit, "", "b")
      .add("b", "a", Level::crit, "", "a");
  const auto graph = walk_all(services);
  const auto findings = analyse(graph);
  EXPECT_THAT(names(graph, findings.root_causes), UnorderedElementsAre("Service a", "Service b"));
}

TEST(RootCauses, ExitCodeIsTheWorstLevel) {
  FakeServices ok("root");
  ok.add("root", "db", Level::ok, "", "");
  EXPECT_EQ(exit_code(walk_all(ok), analyse(walk_all(ok))), 0);
  FakeServices none("root");
  none.service("root");
  EXPECT_EQ(exit_code(walk_all(none), analyse(walk_all(none))), 0);
  FakeServices crit("root");
  crit.add("root", "db", Level::crit, "", "").add("root", "q", Level::warn, "", "");
  EXPECT_EQ(exit_code(walk_all(crit), analyse(walk_all(crit))), 2);
}

}  // namespace
}  // namespace healthchecks::walk
