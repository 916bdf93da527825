#include "healthchecks/about.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using testing::TempDir;

constexpr const char* kAbout = R"({
  "id": "demo-app",
  "summary": "Demo App",
  "description": "A demo app",
  "maintainers": ["ops@example.com"],
  "projectRepo": "https://example.com/repo",
  "projectHome": "https://example.com",
  "logsLinks": ["http://logs"],
  "statsLinks": ["http://stats", "http://errors"],
  "customData": {"region": "eu", "tier": 1}
})";

TEST(About, LoadsEveryFieldAndTrimsTheVersion) {
  TempDir dir;
  const auto about =
      load_about(dir.write("about.json", kAbout), dir.write("version.txt", " 1.2.3\n"));
  EXPECT_EQ(about.id, "demo-app");
  EXPECT_EQ(about.name, "Demo App");
  EXPECT_EQ(about.description, "A demo app");
  EXPECT_EQ(about.owners, std::vector<std::string>{"ops@example.com"});
  EXPECT_EQ(about.version, "1.2.3");
  EXPECT_EQ(about.project_repo, "https://example.com/repo");
  EXPECT_EQ(about.project_home, "https://example.com");
  EXPECT_EQ(about.logs_links, std::vector<std::string>{"http://logs"});
  EXPECT_EQ(about.stats_links, (std::vector<std::string>{"http://stats", "http://errors"}));
  EXPECT_EQ(about.custom_data, nlohmann::json::parse(R"({"region":"eu","tier":1})"));
}

TEST(About, MissingFieldsReadNotAvailable) {
  const auto about = parse_about("{}");
  EXPECT_EQ(about.id, "N/A");
  EXPECT_EQ(about.name, "N/A");
  EXPECT_EQ(about.description, "N/A");
  EXPECT_TRUE(about.owners.empty());
  EXPECT_EQ(about.project_repo, "N/A");
  EXPECT_EQ(about.project_home, "N/A");
  EXPECT_TRUE(about.logs_links.empty());
  EXPECT_TRUE(about.stats_links.empty());
  EXPECT_EQ(about.custom_data, nlohmann::json::object());
  EXPECT_EQ(about.version, "N/A");
}

TEST(About, MistypedFieldsReadNotAvailable) {
  const auto about = parse_about(
      R"({"id": 7, "summary": null, "maintainers": "one", "logsLinks": ["ok", 3], "customData": [1]})");
  EXPECT_EQ(about.id, "N/A");
  EXPECT_EQ(about.name, "N/A");
  EXPECT_TRUE(about.owners.empty());
  EXPECT_EQ(about.logs_links, (std::vector<std::string>{"ok", "N/A"}));
  EXPECT_EQ(about.custom_data, nlohmann::json::object());
}

TEST(About, MalformedFileNamesFileLineAndColumn) {
  TempDir dir;
  const auto path = dir.write("about.json", "{\n  \"id\": \"x\",\n  \"summary\" \"y\"\n}");
  try {
    (void)load_about(path);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), "about");
    const std::string what = e.what();
    EXPECT_NE(what.find(path + ":3:"), std::string::npos) << what;
    EXPECT_NE(what.find("syntax error"), std::string::npos) << what;
  }
}

// Found by fuzzing: a number too large for a double is not a parse_error in nlohmann/json.
TEST(About, AHugeNumberIsAnErrorToo) {
  EXPECT_THAT([] { (void)parse_about(R"({"id": 1444444444444e44444441})", "big.json"); },
              ::testing::ThrowsMessage<Error>(::testing::HasSubstr("big.json: number overflow")));
}

TEST(About, TopLevelMustBeAnObject) {
  try {
    (void)parse_about("[1,2]", "svc/about.json");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "about: svc/about.json: expected a JSON object at the top level, "
                 "found array");
  }
}

TEST(About, MissingFileIsAnError) {
  EXPECT_THROW((void)load_about("/nonexistent/about.json"), Error);
  std::string error;
  EXPECT_FALSE(try_load_about("/nonexistent/about.json", "", error).has_value());
  EXPECT_NE(error.find("/nonexistent/about.json"), std::string::npos);
}

TEST(About, UnreadableVersionFileReadsNotAvailable) {
  TempDir dir;
  const auto about = load_about(dir.write("about.json", kAbout), dir.path() + "/missing.txt");
  EXPECT_EQ(about.version, "N/A");
}

TEST(About, CustomDataFromCodeWinsKeyByKey) {
  TempDir dir;
  const auto about = load_about(dir.write("about.json", kAbout), "",
                                nlohmann::json{{"tier", 2}, {"team", "core"}});
  EXPECT_EQ(about.custom_data, nlohmann::json::parse(R"({"region":"eu","tier":2,"team":"core"})"));
}

TEST(About, TryFormReturnsTheValue) {
  TempDir dir;
  std::string error;
  const auto about = try_load_about(dir.write("about.json", kAbout), "", error);
  ASSERT_TRUE(about.has_value()) << error;
  EXPECT_EQ(about->id, "demo-app");
  EXPECT_TRUE(error.empty());
}

TEST(About, HostNameIsKnown) {
  EXPECT_FALSE(host_name().empty());
}

TEST(ParseAbout, NestingDeeperThanTheLimitIsAnErrorNotACrash) {
  const std::string deep = R"({"id":"x","customData":{"a":)" + std::string(100000, '[') +
                           std::string(100000, ']') + "}}";
  try {
    (void)parse_about(deep, "about.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("about.json: nested deeper than 64 levels (line 1"));
  }
}

}  // namespace
}  // namespace healthchecks
