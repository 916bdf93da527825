// The docs say what the code does: the sidecar accepts every configuration the docs show and
// knows every key they document, and the sample about file reads. (Their C++ blocks are
// compiled by the DocSnippets tests, docs/snippets.md.)
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/about.hpp"
#include "healthchecks/error.hpp"
#include "sidecar/config.hpp"
#include "support/config_errors.hpp"

namespace healthchecks::sidecar {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::without_environment;

// Every JSON example in the docs is a configuration the sidecar accepts, so docs cannot drift.
// The examples of docs/checks.md are single checks.
TEST(SidecarConfigDocs, ExamplesInTheDocsAreValid) {
  int examples = 0;
  for (const char* doc : {"docs/sidecar.md", "README.md", "docs/checks.md"}) {
    std::ifstream in(std::string(HEALTHCHECKS_SOURCE_DIR) + "/" + doc);
    ASSERT_TRUE(in) << doc;
    std::string line, block;
    bool inside = false;
    while (std::getline(in, line)) {
      if (!inside && line == "```json") {
        inside = true;
        block.clear();
      } else if (inside && line == "```") {
        inside = false;
        ++examples;
        if (block.find("\"check\":") != std::string::npos &&
            block.find("\"checks\"") == std::string::npos) {
#ifndef HEALTHCHECKS_HAS_POSTGRES
          if (block.find("\"postgres\"") != std::string::npos) continue;
#endif
#ifndef HEALTHCHECKS_HAS_MYSQL
          if (block.find("\"mysql\"") != std::string::npos) continue;
#endif
#ifndef HEALTHCHECKS_HAS_GRPC
          if (block.find("\"grpc\"") != std::string::npos) continue;
#endif
          block = "{\"checks\": [" + block + "]}";
        }
#ifndef HEALTHCHECKS_HAS_GRPC
        if (block.find("\"grpc\":") != std::string::npos) continue;  // not in this build
#endif
        EXPECT_NO_THROW((void)parse_config(block, doc, "", without_environment())) << block;
      } else if (inside) {
        block += line + "\n";
      }
    }
  }
  EXPECT_GE(examples, 11);
}

// Every key the docs' tables list is one the reader knows (a key missing from the reader's list
// once made a documented option an "unknown key" error). The tables of docs/sidecar.md give the
// top-level keys, the keys of every check and those of static and http; docs/checks.md, under
// "## <kind> — ...", the keys of each kind.
TEST(SidecarConfigDocs, EveryDocumentedKeyIsKnown) {
  int keys = 0;
  for (const std::string doc : {"docs/sidecar.md", "docs/checks.md"}) {
    std::ifstream in(std::string(HEALTHCHECKS_SOURCE_DIR) + "/" + doc);
    ASSERT_TRUE(in) << doc;
    std::string line, kind;  // kind: "" for the top level, "-" for none
    while (std::getline(in, line)) {
      if (line.rfind("#", 0) == 0) {
        kind = "-";
        if (line == "## Top level") kind.clear();
        if (line == "## Checks" || line.find("\"check\": \"static\"") != std::string::npos)
          kind = "static";
        if (line.find("\"check\": \"http\"") != std::string::npos) kind = "http";
        if (doc == "docs/checks.md" && line.rfind("## ", 0) == 0 &&
            line.find(" — ") != std::string::npos) {
          kind = line.substr(3, line.find(' ', 3) - 3);
        }
#ifndef HEALTHCHECKS_HAS_POSTGRES
        if (kind == "postgres") kind = "-";
#endif
#ifndef HEALTHCHECKS_HAS_MYSQL
        if (kind == "mysql") kind = "-";
#endif
#ifndef HEALTHCHECKS_HAS_GRPC
        if (kind == "grpc") kind = "-";
#endif
        continue;
      }
      if (kind == "-" || line.rfind("| `", 0) != 0) continue;
      // The first cell: "`key`" or "`key`, `other`".
      const std::string cell = line.substr(2, line.find(" |", 2) - 2);
      for (std::size_t at = cell.find('`'); at != std::string::npos;
           at = cell.find('`', cell.find('`', at + 1) + 1)) {
        const std::string key = cell.substr(at + 1, cell.find('`', at + 1) - at - 1);
        // The kind's required keys, so that their absence does not hide an unknown key.
        static const std::map<std::string, std::pair<std::string, std::string>> kRequired = {
            {"tcp", {"port", R"("port": 1)"}},
            {"http", {"url", R"("url": "http://127.0.0.1:1")"}},
            {"postgres", {"conninfo", R"("conninfo": "host=127.0.0.1")"}},
            {"mysql", {"user", R"("user": "health")"}},
            {"command", {"argv", R"("argv": ["true"])"}}};
        std::string check = R"({"name": "A", "slug": "a", "check": ")" + kind + "\"";
        const auto required = kRequired.find(kind);
        if (required != kRequired.end()) check += ", " + required->second.second;
        if (required == kRequired.end() || required->second.first != key) {
          check += ", \"" + key + "\": null";
        }
        const std::string config =
            kind.empty() ? "{\"" + key + "\": null}" : "{\"checks\": [" + check + "}]}";
        ++keys;
        EXPECT_THAT(error_of(config), ::testing::Not(HasSubstr("unknown key")))
            << doc << ": " << kind << " " << key;
      }
    }
  }
  EXPECT_GE(keys, 45);
}

// The README loads "about.json"; examples/about.json is the sample it points to. Every field
// reads from it (a missing or mistyped one would read "N/A" or []).
TEST(SampleAbout, LoadAboutReadsEveryField) {
  const auto about = load_about(std::string(HEALTHCHECKS_SOURCE_DIR) + "/examples/about.json");
  EXPECT_EQ(about.id, "orders");
  EXPECT_EQ(about.name, "Orders");
  EXPECT_THAT(about.description, ::testing::Not(::testing::AnyOf("", "N/A")));
  EXPECT_THAT(about.owners, ::testing::ElementsAre("orders-team@example.com"));
  EXPECT_THAT(about.project_repo, HasSubstr("https://"));
  EXPECT_THAT(about.project_home, HasSubstr("https://"));
  EXPECT_THAT(about.logs_links, ::testing::SizeIs(1));
  EXPECT_THAT(about.stats_links, ::testing::SizeIs(1));
  EXPECT_EQ(about.custom_data.value("team", ""), "platform");
}

// docs/deployment.md shows the files of docs/deployment/ that the integration tests run
// (Deployment.*): each block marked `<!-- file: deployment/NAME -->` is that file, byte for byte,
// every file is shown, and the sidecar configurations among them are valid.
TEST(DeploymentDocs, BlocksAreTheTestedFiles) {
  const std::string docs = std::string(HEALTHCHECKS_SOURCE_DIR) + "/docs/";
  std::ifstream in(docs + "deployment.md");
  ASSERT_TRUE(in);
  const std::string marker = "<!-- file: ";
  std::set<std::string> shown;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(marker, 0) != 0) continue;
    const std::string name = line.substr(marker.size(), line.find(" -->") - marker.size());
    std::string fence, block;
    ASSERT_TRUE(std::getline(in, fence) && fence.rfind("```", 0) == 0) << name;
    while (std::getline(in, line) && line != "```") block += line + "\n";
    std::ifstream file(docs + name);
    ASSERT_TRUE(file) << name << " is shown but does not exist";
    std::ostringstream text;
    text << file.rdbuf();
    EXPECT_EQ(block, text.str()) << name << " differs from its block in docs/deployment.md";
    shown.insert(name);
  }
  for (const auto& entry : std::filesystem::directory_iterator(docs + "deployment")) {
    const std::string name = "deployment/" + entry.path().filename().string();
    EXPECT_EQ(shown.count(name), 1u) << name << " is not shown in docs/deployment.md";
  }
  EXPECT_GE(shown.size(), 8u);
  for (const char* config : {"deployment/sidecar.json", "deployment/consul-status-codes.json"}) {
    EXPECT_NO_THROW((void)load_config(docs + config, without_environment())) << config;
  }
}

// The recipe of docs/integrations.md, "Any HTTP server", is the code that runs: its lines stand, in
// this order and consecutively (indentation aside), in the example that serves with it and in the
// endpoint tests' "Recipe" host (tests/support/served_beast.cpp).
std::vector<std::string> stripped_lines(const std::string& path) {
  std::ifstream in(std::string(HEALTHCHECKS_SOURCE_DIR) + "/" + path);
  EXPECT_TRUE(in) << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(' ');
    lines.push_back(first == std::string::npos ? std::string() : line.substr(first));
  }
  return lines;
}

TEST(DocsRecipe, IsTheCodeThatRuns) {
  const auto doc = stripped_lines("docs/integrations.md");
  const auto marker = std::find(doc.begin(), doc.end(), "<!-- snippet: any-server -->");
  ASSERT_NE(marker, doc.end()) << "docs/integrations.md has no <!-- snippet: any-server --> block";
  ASSERT_EQ(*(marker + 1), "```cpp");
  const auto end = std::find(marker + 2, doc.end(), "```");
  const std::vector<std::string> recipe(marker + 2, end);
  ASSERT_GE(recipe.size(), 5u);
  for (const char* path : {"examples/any_server.cpp", "tests/support/served_beast.cpp"}) {
    const auto code = stripped_lines(path);
    EXPECT_NE(std::search(code.begin(), code.end(), recipe.begin(), recipe.end()), code.end())
        << path << " does not hold the recipe of docs/integrations.md as it stands there";
  }
}

}  // namespace
}  // namespace healthchecks::sidecar
