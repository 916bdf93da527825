#include "walk/walker.hpp"

#include <deque>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/walk/fake_services.hpp"
#include "walk/findings.hpp"

namespace healthchecks::walk {
namespace {

using ::testing::ElementsAre;
using testing::FakeServices;
using ::testing::HasSubstr;
using testing::node_named;
using testing::walk_all;

std::size_t traversable_edges(const Graph& graph) {
  std::size_t count = 0;
  for (const auto& edge : graph.edges) count += edge.entry.traversable;
  return count;
}

TEST(Identity, IdAndHostRecogniseAServiceWhateverThePath) {
  ServiceAbout about;
  about.id = "billing";
  about.host = "vm-1";
  EXPECT_EQ(identity(about, {"a"}), identity(about, {"b", "c"}));
  ServiceAbout elsewhere = about;
  elsewhere.host = "vm-2";
  EXPECT_NE(identity(about, {}), identity(elsewhere, {}));
  ServiceAbout no_host = about;
  no_host.host = "N/A";  // a redacted About
  EXPECT_EQ(identity(no_host, {"a"}), identity(no_host, {"b"}));
}

TEST(Identity, WithoutAnIdThePathIdentifies) {
  ServiceAbout about;
  about.host = "vm-1";
  EXPECT_EQ(identity(about, {"a", "b"}), "path:a/b");
  about.id = "N/A";
  EXPECT_EQ(identity(about, {"a", "b"}), "path:a/b");
  EXPECT_NE(identity(about, {"a"}), identity(about, {"b"}));
}

TEST(Identity, NoIdAndHostPassForAnotherPair) {
  ServiceAbout one;
  one.id = "a@b";
  ServiceAbout two;
  two.id = "a";
  two.host = "b";
  EXPECT_NE(identity(one, {}), identity(two, {}));
}

TEST(Walker, TargetsGoThroughTheRootWithEncodedSlugs) {
  EXPECT_EQ(about_target("/status", {}), "/status/about");
  EXPECT_EQ(about_target("/api/status", {"a", "b c", "x&action=y"}),
            "/api/status/traverse?dependencies=a,b%20c,x%26action%3Dy&action=about");
}

TEST(Walker, SharedDependencyIsFetchedOncePerEdgeAndExpandedOnce) {
  FakeServices services("root");
  services.add("root", "a", Level::ok, "", "a")
      .add("root", "b", Level::ok, "", "b")
      .add("a", "c", Level::ok, "", "c")
      .add("b", "c", Level::ok, "", "c")
      .add("c", "db", Level::ok, "", "");
  const auto graph = walk_all(services);
  ASSERT_EQ(graph.root_error, "");
  EXPECT_EQ(graph.requests, traversable_edges(graph) + 1);
  EXPECT_EQ(graph.requests, 5u);
  std::size_t c_nodes = 0;
  for (const auto& node : graph.nodes) c_nodes += node.name == "Service c";
  EXPECT_EQ(c_nodes, 1u);
  // c's own dependency was read once: one edge to db.
  std::size_t db_edges = 0;
  for (const auto& edge : graph.edges) db_edges += edge.entry.slug == "db";
  EXPECT_EQ(db_edges, 1u);
}

TEST(Walker, CycleIsReferencedNotWalkedAgain) {
  FakeServices services("a");
  services.add("a", "b", Level::ok, "", "b").add("b", "a", Level::ok, "", "a");
  const auto graph = walk_all(services);
  EXPECT_EQ(graph.nodes.size(), 2u);
  EXPECT_EQ(graph.requests, 3u);
  ASSERT_EQ(graph.edges.size(), 2u);
  EXPECT_EQ(graph.edges[1].to, 0u) << "b's dependency is the root, known already";
  EXPECT_THAT(services.targets(),
              ElementsAre("/status/about", "/status/traverse?dependencies=b&action=about",
                          "/status/traverse?dependencies=b,a&action=about"));
}

TEST(Walker, NoMoreRequestsInFlightThanParallel) {
  FakeServices services("root");
  for (int i = 0; i < 20; ++i) {
    const auto id = "s" + std::to_string(i);
    services.add("root", id, Level::ok, "", id).service(id);
  }
  std::deque<std::function<void()>> pending;
  std::size_t most = 0;
  WalkOptions options;
  options.parallel = 3;
  Walker walker(options, [&](const std::string& target, std::function<void(Fetched)> done) {
    pending.push_back([&services, target, done] { done(services.respond(target)); });
    most = std::max(most, pending.size());
  });
  bool finished = false;
  Graph result;
  walker.start([&](Graph graph) {
    finished = true;
    result = std::move(graph);
  });
  while (!pending.empty()) {
    EXPECT_LE(walker.progress().in_flight, 3u);
    auto next = std::move(pending.front());
    pending.pop_front();
    next();
  }
  ASSERT_TRUE(finished);
  EXPECT_EQ(most, 3u);
  EXPECT_EQ(result.requests, 21u);
  EXPECT_EQ(result.nodes.size(), 21u);
}

TEST(Walker, DepthStopsTheWalkAndSaysSo) {
  FakeServices services("root");
  services.add("root", "a", Level::ok, "", "a").add("a", "b", Level::ok, "", "b").service("b");
  WalkOptions options;
  options.depth = 1;
  const auto graph = walk_all(services, options);
  EXPECT_EQ(graph.requests, 2u);
  const auto b = node_named(graph, "b");
  ASSERT_LT(b, graph.nodes.size());
  EXPECT_EQ(graph.nodes[b].state, NodeState::not_walked);
  EXPECT_THAT(graph.nodes[b].problem, HasSubstr("--depth 1"));
}

TEST(Walker, MaxServicesStopsExpandingAndSaysSo) {
  FakeServices services("root");
  services.add("root", "a", Level::ok, "", "a")
      .add("a", "b", Level::ok, "", "b")
      .add("b", "c", Level::ok, "", "c")
      .service("c");
  WalkOptions options;
  options.max_services = 2;
  const auto graph = walk_all(services, options);
  EXPECT_LE(graph.requests, 3u);
  ASSERT_FALSE(graph.notes.empty());
  EXPECT_THAT(graph.notes[0], HasSubstr("--max-services"));
}

TEST(Walker, HostileAnswersReadCritWithTheReason) {
  FakeServices services("root");
  services.add("root", "garbage", Level::ok, "", "x")
      .add("root", "deep", Level::ok, "", "x")
      .add("root", "array", Level::ok, "", "x")
      .add("root", "number", Level::ok, "", "x")
      .add("root", "hung", Level::ok, "", "x")
      .service("x")
      .answer("/status/traverse?dependencies=garbage&action=about", {"", 200, "<html>\x01"})
      .answer("/status/traverse?dependencies=deep&action=about",
              {"", 200, std::string(100000, '[')})
      .answer(
          "/status/traverse?dependencies=array&action=about",
          {"", 200,
           R"(["CRIT",{"description":"Traverse","result":"CRIT","details":"connect: Connection refused"}])"})
      .answer("/status/traverse?dependencies=number&action=about", {"", 200, "42"})
      .answer("/status/traverse?dependencies=hung&action=about",
              {"read: timed out after 10000 ms", 0, ""});
  const auto graph = walk_all(services);
  const auto findings = analyse(graph);
  ASSERT_EQ(graph.edges.size(), 5u);
  for (const auto& edge : graph.edges) {
    EXPECT_EQ(edge.level, Level::crit) << edge.entry.slug;
    EXPECT_EQ(graph.nodes[edge.to].state, NodeState::failed) << edge.entry.slug;
  }
  EXPECT_THAT(graph.nodes[graph.edges[0].to].problem, HasSubstr("not JSON"));
  EXPECT_THAT(graph.nodes[graph.edges[1].to].problem, HasSubstr("nested deeper than 64"));
  EXPECT_THAT(
      graph.nodes[graph.edges[2].to].problem,
      HasSubstr("answered CRIT instead of an About: Traverse: connect: Connection refused"));
  EXPECT_THAT(graph.nodes[graph.edges[3].to].problem, HasSubstr("neither an About nor a status"));
  EXPECT_THAT(graph.nodes[graph.edges[4].to].problem, HasSubstr("timed out"));
  EXPECT_EQ(findings.root_causes.size(), 5u);
  EXPECT_EQ(exit_code(graph, findings), 2);
}

TEST(Walker, ForbiddenTraversalNeedsATokenAndTheWalkGoesOn) {
  FakeServices services("root");
  services.add("root", "locked", Level::warn, "", "x")
      .add("root", "open", Level::ok, "", "y")
      .service("x")
      .add("y", "db", Level::ok, "", "")
      .answer("/status/traverse?dependencies=locked&action=about", {"", 403, "[\"CRIT\"]"});
  const auto graph = walk_all(services);
  const auto locked = graph.edges[0];
  EXPECT_EQ(locked.level, Level::warn) << "the level the parent reports stands";
  EXPECT_EQ(graph.nodes[locked.to].problem, "details need a token (--header)");
  EXPECT_TRUE(graph.nodes[locked.to].needs_token);
  EXPECT_LT(node_named(graph, "db"), graph.nodes.size()) << "walked on elsewhere";
  EXPECT_EQ(exit_code(graph, analyse(graph)), 1);
}

TEST(Walker, RootThatDoesNotAnswerAnAboutIsExit3) {
  FakeServices services("root");
  services.service("root").answer("/status/about", {"connect: Connection refused", 0, ""});
  auto graph = walk_all(services);
  EXPECT_EQ(graph.root_error, "connect: Connection refused");
  EXPECT_EQ(exit_code(graph, analyse(graph)), 3);
  services.answer("/status/about", {"", 200, R"(["OK"])"});
  graph = walk_all(services);
  EXPECT_THAT(graph.root_error, HasSubstr("instead of an About"));
  EXPECT_EQ(exit_code(graph, analyse(graph)), 3);
}

TEST(Walker, AThrowingFetchReadsAsAFailedRequest) {
  FakeServices services("root");
  services.add("root", "a", Level::ok, "", "a").service("a");
  Walker walker({}, [&](const std::string& target, std::function<void(Fetched)> done) {
    if (target != "/status/about") throw std::runtime_error("no sockets left");
    done(services.respond(target));
  });
  Graph result;
  walker.start([&](Graph graph) { result = std::move(graph); });
  ASSERT_EQ(result.edges.size(), 1u);
  EXPECT_THAT(result.nodes[result.edges[0].to].problem, HasSubstr("no sockets left"));
}

}  // namespace
}  // namespace healthchecks::walk
