// Three sidecars on ephemeral loopback ports, wired as the demo graph: demo-app calls
// service-1 and service-2, service-2 calls service-1. Traversal crosses real processes.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using testing::http_get;
using testing::Process;
using testing::TempDir;
using testing::wait_until_serving;

std::string about(const std::string& id) {
  return R"("about": {"id": ")" + id + R"(", "summary": ")" + id + R"(", "maintainers": ["x@y"]})";
}

std::string peer(const std::string& name, const std::string& slug, unsigned short port) {
  return R"({"name": ")" + name + R"(", "slug": ")" + slug +
         R"(", "check": "http", "traversable": true, "url": "http://127.0.0.1:)" +
         std::to_string(port) + R"("})";
}

class SidecarGraph : public ::testing::Test {
 protected:
  std::unique_ptr<Process> start(const std::string& name, const std::string& config) {
    auto process = std::make_unique<Process>(std::vector<std::string>{
        HEALTHCHECKS_SIDECAR_PATH, "--config", dir_.write(name + ".json", config)});
    return process;
  }

  void SetUp() override {
    service1_ = start(
        "service-1", R"({"listen": "127.0.0.1:0", )" + about("service-1") +
                         R"(, "checks": [{"name": "Mongo", "slug": "mongo", "check": "static"}]})");
    port1_ = wait_until_serving(*service1_);
    service2_ = start(
        "service-2", R"({"listen": "127.0.0.1:0", )" + about("service-2") +
                         R"(, "checks": [{"name": "Redis", "slug": "redis", "check": "static"}, )" +
                         peer("Service 1", "service-1", port1_) + "]}");
    port2_ = wait_until_serving(*service2_);
    app_ =
        start("demo-app", R"({"listen": "127.0.0.1:0", )" + about("demo-app") +
                              R"(, "checks": [{"name": "DB", "slug": "db", "check": "static"}, )" +
                              peer("Service 1", "service-1", port1_) + ", " +
                              peer("Service 2", "service-2", port2_) + "]}");
    port_ = wait_until_serving(*app_);
  }

  TempDir dir_;
  std::unique_ptr<Process> service1_, service2_, app_;
  unsigned short port1_ = 0, port2_ = 0, port_ = 0;
};

TEST_F(SidecarGraph, TraversesTwoHopsAcrossProcesses) {
  const auto reply = http_get(port_, "/status/traverse?dependencies=service-2,service-1");
  EXPECT_EQ(reply.status, 200);
  const auto json = nlohmann::json::parse(reply.body);
  EXPECT_EQ(json["id"], "service-1");
  EXPECT_EQ(json["dependencies"][0]["statusPath"], "mongo");
  EXPECT_EQ(json["dependencies"][0]["status"], nlohmann::json::parse(R"(["OK"])"));
}

TEST_F(SidecarGraph, TraversesToOtherActionsAtTheEnd) {
  EXPECT_EQ(http_get(port_, "/status/traverse?dependencies=service-2&action=aggregate").body,
            R"(["OK"])");
  EXPECT_EQ(http_get(port_, "/status/traverse?dependencies=service-2,service-1&action=mongo").body,
            R"(["OK"])");
  EXPECT_EQ(
      http_get(port_, "/status/traverse?dependencies=service-2,service-1&action=am-i-up").body,
      "OK");
  EXPECT_THAT(http_get(port_, "/status/traverse?dependencies=service-2,nope").body,
              HasSubstr("Status path 'nope' is not registered"));
}

TEST_F(SidecarGraph, AggregateSeesADependencyGoDown) {
  EXPECT_EQ(http_get(port_, "/status/aggregate").body, R"(["OK"])");
  service1_->kill(SIGTERM);
  ASSERT_EQ(service1_->wait(), 0) << "a clean stop on SIGTERM";
  const auto body = http_get(port_, "/status/aggregate").body;
  EXPECT_THAT(body, HasSubstr(R"(["CRIT",{"description":"Service 1")"));
  EXPECT_THAT(body, HasSubstr("Connection refused"));
  // Service 2 depends on service 1 too; through it the failure shows one hop away.
  EXPECT_THAT(http_get(port_, "/status/service-2").body,
              HasSubstr("Service 2 check failed: CRIT - "));
  EXPECT_THAT(http_get(port_, "/status/traverse?dependencies=service-2,service-1").body,
              HasSubstr("connect: Connection refused"));
}

TEST(Sidecar, SaysWhereItServesAndHowManyChecks) {
  TempDir dir;
  Process one({HEALTHCHECKS_SIDECAR_PATH, "--config",
               dir.write("one.json", R"({"listen": "127.0.0.1:0", "about": {"id": "one"},
                 "checks": [{"name": "A", "slug": "a", "check": "static"}]})")});
  const auto line = one.read_line();
  ASSERT_TRUE(line);
  EXPECT_THAT(*line,
              ::testing::MatchesRegex("healthchecks-sidecar: serving 'one' at "
                                      "http://127\\.0\\.0\\.1:[0-9]+/status/ \\(1 check\\)"));
  Process none({HEALTHCHECKS_SIDECAR_PATH, "--config",
                dir.write("none.json", R"({"listen": "127.0.0.1:0"})")});
  EXPECT_THAT(none.read_line().value_or(""), ::testing::EndsWith("(0 checks)"));
}

TEST(Sidecar, BadConfigExitsWithCode2AndOneLine) {
  TempDir dir;
  const auto path = dir.write(
      "bad.json", R"({"checks": [{"name": "A", "slug": "a", "check": "http", "url": 5}]})");
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", path});
  EXPECT_EQ(sidecar.wait(), 2);
  EXPECT_EQ(sidecar.read_stderr(),
            "healthchecks-sidecar: config: " + path +
                ": key 'checks[0].url': expected a string, found number 5\n");
}

TEST(Sidecar, UsageErrorsExitWithCode2) {
  Process no_args({HEALTHCHECKS_SIDECAR_PATH});
  EXPECT_EQ(no_args.wait(), 2);
  EXPECT_THAT(no_args.read_stderr(), HasSubstr("usage: healthchecks-sidecar --config FILE"));
  Process missing({HEALTHCHECKS_SIDECAR_PATH, "--config", "/nonexistent.json"});
  EXPECT_EQ(missing.wait(), 2);
  EXPECT_THAT(missing.read_stderr(), HasSubstr("/nonexistent.json: cannot read"));
}

}  // namespace
}  // namespace healthchecks
