#include "walk/diagram.hpp"

#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/walk/fake_services.hpp"

namespace healthchecks::walk {
namespace {

using ::testing::HasSubstr;
using testing::hostile_graph;
using testing::lines_of;
using ::testing::Not;

TEST(DotRenderer, HostileLabelsAreEscaped) {
  const auto graph = hostile_graph();
  const auto text = render_dot(graph, analyse(graph));
  const auto lines = lines_of(text);
  EXPECT_EQ(lines.front(), "digraph healthchecks {");
  EXPECT_EQ(lines.back(), "}");
  const std::regex statement(
      R"(^  (n[0-9]+( -> n[0-9]+)? \[.*\];|rankdir=LR;|(node|edge) \[.*\];)$)");
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    EXPECT_TRUE(std::regex_match(lines[i], statement)) << lines[i];
    int quotes = 0;
    for (std::size_t k = 0; k < lines[i].size(); ++k) {
      if (lines[i][k] == '\\') {
        ++k;
      } else if (lines[i][k] == '"') {
        ++quotes;
      }
    }
    EXPECT_EQ(quotes % 2, 0) << lines[i];
  }
  EXPECT_THAT(text, HasSubstr(R"(x\"];)"));
  EXPECT_THAT(text, HasSubstr(R"(\\N)")) << "a backslash cannot start a dot escape";
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, HasSubstr("fillcolor=\"#ffcdd2\"")) << "CRIT is red";
}

TEST(MermaidRenderer, HostileLabelsAreEscaped) {
  const auto graph = hostile_graph();
  const auto text = render_mermaid(graph, analyse(graph));
  const auto lines = lines_of(text);
  EXPECT_EQ(lines.front(), "flowchart LR");
  const std::regex statement(
      R"(^  (n[0-9]+(\["[^"<>`|]*"\]|\(\["[^"<>`|]*"\]\))|n[0-9]+ -->\|"[^"<>`|]*"\| n[0-9]+|classDef (ok|warn|crit|unknown) [^ ]+|class n[0-9]+ (ok|warn|crit|unknown)|linkStyle [0-9]+ stroke:#[0-9a-f]{6})$)");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    // The renderer's own <br/> is the one markup allowed inside a label.
    std::string line = std::regex_replace(lines[i], std::regex("<br/>"), "");
    EXPECT_TRUE(std::regex_match(line, statement)) << lines[i];
  }
  EXPECT_THAT(text, HasSubstr("x#quot;];"));
  EXPECT_THAT(text, HasSubstr("#lt;script#gt;"));
  EXPECT_THAT(text, HasSubstr("#35;quot;")) << "a '#' cannot start an entity of its own";
  EXPECT_THAT(text, HasSubstr("class n0 crit"));
  EXPECT_THAT(text, HasSubstr("class n2 warn"));
}

}  // namespace
}  // namespace healthchecks::walk
