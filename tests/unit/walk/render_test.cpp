#include "walk/render.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "unit/walk/fake_services.hpp"

namespace healthchecks::walk {
namespace {

using testing::FakeServices;
using ::testing::HasSubstr;
using testing::hostile_graph;
using testing::lines_of;
using ::testing::Not;
using testing::walk_all;

// root -> a -> db (CRIT), root -> q (WARN), root -> b -> a (shown once).
Graph small_graph() {
  FakeServices services("root");
  services.add("root", "a", Level::crit, "a failed", "a")
      .add("root", "q", Level::warn, "lag", "")
      .add("root", "b", Level::crit, "b failed", "b")
      .add("a", "db", Level::crit, "refused", "")
      .add("b", "a", Level::crit, "a failed", "a");
  return walk_all(services);
}

TEST(TreeRenderer, OneLinePerDependencyServicesShownOnce) {
  const auto graph = small_graph();
  const auto text = render_tree(graph, analyse(graph), false);
  const auto lines = lines_of(text);
  ASSERT_GE(lines.size(), 7u);
  EXPECT_EQ(lines[0], "Service root (root) at http://127.0.0.1:8080/status: CRIT");
  EXPECT_EQ(lines[1], "\u251c\u2500\u2500 CRIT  a [a] 1.50 ms (Service a): a failed");
  EXPECT_EQ(lines[2], "\u2502   \u2514\u2500\u2500 CRIT  db [db] 1.50 ms: refused");
  EXPECT_EQ(lines[3], "\u251c\u2500\u2500 WARN  q [q] 1.50 ms: lag");
  EXPECT_EQ(lines[4], "\u2514\u2500\u2500 CRIT  b [b] 1.50 ms (Service b): b failed");
  EXPECT_EQ(lines[5],
            "    \u2514\u2500\u2500 CRIT  a [a] 1.50 ms (Service a): a failed (shown above)");
  EXPECT_THAT(text, HasSubstr("likely root causes:\n  CRIT  db [db]: refused\n"
                              "        seen from: Service a\n"));
  EXPECT_THAT(text, HasSubstr("degraded:\n  WARN  q [q]: lag\n"));
  EXPECT_THAT(text, HasSubstr("walked 3 services, 5 dependencies with 4 requests in "));
  EXPECT_THAT(text, Not(HasSubstr("\x1b"))) << "no colour unless asked";
  EXPECT_THAT(render_tree(graph, analyse(graph), true), HasSubstr("\x1b[1;31mCRIT"));
}

TEST(TreeRenderer, ServiceTextCannotControlTheTerminal) {
  const auto graph = hostile_graph();
  const auto text = render_tree(graph, analyse(graph), false);
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, HasSubstr("\\x1b[31m"));
  EXPECT_THAT(text, HasSubstr("x\"];\\n}\\ndigraph"));
  EXPECT_EQ(terminal_text("a\xC2\x9B"
                          "31mb\xFF"),
            "a\\u{9b}31mb\xEF\xBF\xBD");
}

TEST(TreeRenderer, RootNotReachedSaysWhy) {
  Graph graph;
  graph.url = "http://127.0.0.1:1/status";
  graph.root_error = "connect: Connection refused";
  EXPECT_EQ(render_tree(graph, analyse(graph), false),
            "not reached: http://127.0.0.1:1/status: connect: Connection refused\n");
}

TEST(JsonRenderer, TheGraphAsOneDocument) {
  const auto graph = small_graph();
  const auto json = nlohmann::json::parse(render_json(graph, analyse(graph)));
  EXPECT_EQ(json["url"], "http://127.0.0.1:8080/status");
  EXPECT_EQ(json["level"], "CRIT");
  EXPECT_EQ(json["exitCode"], 2);
  EXPECT_EQ(json["requests"], 4);
  EXPECT_EQ(json["traversableEdges"], 3);
  ASSERT_EQ(json["nodes"].size(), graph.nodes.size());
  EXPECT_EQ(json["nodes"][0]["id"], "n0");
  EXPECT_EQ(json["nodes"][0]["about"]["id"], "root");
  EXPECT_EQ(json["nodes"][0]["about"]["host"], "host");
  EXPECT_EQ(json["nodes"][0]["kind"], "service");
  const auto& edge = json["edges"][0];
  EXPECT_EQ(edge["from"], "n0");
  EXPECT_EQ(edge["slug"], "a");
  EXPECT_EQ(edge["name"], "a");
  EXPECT_EQ(edge["type"], "internal");
  EXPECT_EQ(edge["level"], "CRIT");
  EXPECT_EQ(edge["duration"], 0.0015);
  EXPECT_EQ(edge["details"], "a failed");
  EXPECT_EQ(edge["traversable"], true);
  ASSERT_EQ(json["rootCauses"].size(), 1u);
  EXPECT_EQ(json["rootCauses"][0]["name"], "db");
  EXPECT_EQ(json["rootCauses"][0]["details"], "refused");
  EXPECT_EQ(json["degraded"][0]["name"], "q");
  EXPECT_TRUE(json["unreachable"].empty());
  EXPECT_TRUE(json["notes"].empty());

  Graph lost;
  lost.root_error = "connect: Connection refused";
  const auto none = nlohmann::json::parse(render_json(lost, analyse(lost)));
  EXPECT_TRUE(none["level"].is_null());
  EXPECT_EQ(none["exitCode"], 3);
  EXPECT_EQ(none["error"], "connect: Connection refused");
}

TEST(JsonRenderer, HostileTextStaysValidJson) {
  auto graph = hostile_graph();
  graph.nodes[0].name += "\xFF\xFE";
  const auto text = render_json(graph, analyse(graph));
  EXPECT_TRUE(nlohmann::json::accept(text));
}

// Every line of DOT output is one statement whose quotes are balanced (an escaped quote does
// not count): service text can neither end a label nor start a statement of its own.
TEST(TreeRenderer, DurationsReadLikeTheLibrarys) {
  EXPECT_EQ(format_seconds(0.00042), "0.42 ms");
  EXPECT_EQ(format_seconds(0.0123), "12.3 ms");
  EXPECT_EQ(format_seconds(1.25), "1.25 s");
}

}  // namespace
}  // namespace healthchecks::walk
