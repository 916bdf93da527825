// Three token-protected sidecars on loopback, A -> B -> C, each authenticating to the next with
// its own configured credentials (issue 11): a caller with A's token sees details at every
// level, a caller without it sees none, and no secret appears in any answer or log line. A
// recording peer shows what crosses a hop.
#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fake_peer.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using testing::FakePeer;
using ::testing::HasSubstr;
using testing::http_get;
using ::testing::Not;
using testing::Process;
using testing::TempDir;
using testing::wait_until_serving;

constexpr const char* kTokenA = "token-of-a-0123456789";
constexpr const char* kTokenB = "token-of-b-0123456789";
constexpr const char* kTokenC = "token-of-c-0123456789";
constexpr const char* kPeerToken = "token-of-the-recorder-42";
constexpr const char* kTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

std::string bearer(const char* token) {
  return std::string("Bearer ") + token;
}

class SidecarTokenGraph : public ::testing::Test {
 protected:
  void SetUp() override {
    // Secrets come from the environment, as in production; the children inherit it.
    setenv("TG_A_TOKEN", kTokenA, 1);
    setenv("TG_B_TOKEN", kTokenB, 1);
    setenv("TG_C_TOKEN", kTokenC, 1);
    setenv("TG_PEER_TOKEN", kPeerToken, 1);
    recorder_.reply({200, "application/json", R"({"id":"recorder","dependencies":[]})"});
    recorder_.reply_for("/status/aggregate", {200, "application/json", R"(["OK"])"});

    c_ = start("c", R"({"listen": "127.0.0.1:0", "about": {"id": "c", "summary": "C"},
      "access": {"token": "${TG_C_TOKEN}"},
      "checks": [{"name": "Disk", "slug": "disk", "check": "static", "result": "WARN",
                  "details": "disk 85% full"}]})");
    const auto c_port = wait_until_serving(*c_);
    b_ = start("b", R"({"listen": "127.0.0.1:0", "about": {"id": "b", "summary": "B"},
      "access": {"token": "${TG_B_TOKEN}"},
      "checks": [{"name": "C", "slug": "c", "check": "http", "traversable": true,
                  "url": "http://127.0.0.1:)" +
                        std::to_string(c_port) + R"(",
                  "headers": {"Authorization": "Bearer ${TG_C_TOKEN}"}}]})");
    const auto b_port = wait_until_serving(*b_);
    a_ = start("a", R"({"listen": "127.0.0.1:0",
      "about": {"id": "a", "summary": "A", "customData": {"note": "deployed with ${TG_A_TOKEN}"}},
      "access": {"token": "${TG_A_TOKEN}"},
      "checks": [{"name": "B", "slug": "b", "check": "http", "traversable": true,
                  "url": "http://127.0.0.1:)" +
                        std::to_string(b_port) + R"(",
                  "headers": {"Authorization": "Bearer ${TG_B_TOKEN}"}},
                 {"name": "Recorder", "slug": "recorder", "check": "http", "traversable": true,
                  "url": ")" +
                        recorder_.url() +
                        R"(", "headers": {"Authorization": "Bearer ${TG_PEER_TOKEN}",
                                          "X-Api-Key": "${TG_PEER_TOKEN}"}},
                 {"name": "Leaky", "slug": "leaky", "check": "http", "critical": false,
                  "url": "http://127.0.0.1:1/health?key=${TG_PEER_TOKEN}"}]})");
    port_ = wait_until_serving(*a_);
  }

  std::unique_ptr<Process> start(const std::string& name, const std::string& config) {
    return std::make_unique<Process>(std::vector<std::string>{HEALTHCHECKS_SIDECAR_PATH, "--config",
                                                              dir_.write(name + ".json", config)},
                                     true);
  }

  testing::HttpReply get(const std::string& target, const char* token = nullptr,
                         std::map<std::string, std::string> headers = {}) {
    if (token != nullptr) headers["Authorization"] = bearer(token);
    auto reply = http_get(port_, target, "GET", headers);
    seen_ += reply.body;
    for (const auto& [name, value] : reply.headers) seen_ += name + ": " + value + "\n";
    return reply;
  }

  void expect_no_secret(const std::string& text, const std::string& where) {
    for (const char* secret : {kTokenA, kTokenB, kTokenC, kPeerToken}) {
      EXPECT_THAT(text, Not(HasSubstr(secret))) << where;
    }
  }

  TempDir dir_;
  FakePeer recorder_;
  std::unique_ptr<Process> c_, b_, a_;
  unsigned short port_ = 0;
  std::string seen_;  // every answer, for the secrets check
};

TEST_F(SidecarTokenGraph, WithTheTokenDetailsAtEveryLevel) {
  // A's check on B (with B's token) shows B's worst, which is C's WARN as B sees it (with C's).
  const auto aggregate = get("/status/aggregate", kTokenA);
  EXPECT_THAT(aggregate.body, HasSubstr(R"(["WARN",)"));
  EXPECT_THAT(aggregate.body, HasSubstr("disk 85% full"));
  // Two levels down: B authenticates to C with its own credentials, so C shows details.
  const auto c_about =
      nlohmann::json::parse(get("/status/traverse?dependencies=b,c", kTokenA).body);
  EXPECT_EQ(c_about["id"], "c");
  EXPECT_EQ(c_about["dependencies"][0]["status"][1]["details"], "disk 85% full");
  const auto b_about = nlohmann::json::parse(get("/status/traverse?dependencies=b", kTokenA).body);
  EXPECT_EQ(b_about["id"], "b");
  EXPECT_THAT(b_about["dependencies"][0]["status"].dump(), HasSubstr("disk 85% full"));
}

TEST_F(SidecarTokenGraph, WithoutTheTokenNoDetailsAtAnyLevel) {
  EXPECT_EQ(get("/status/aggregate").body,
            R"(["WARN",{"description":"","result":"WARN","details":""}])");
  const auto about = get("/status/about").body;
  EXPECT_THAT(about, Not(HasSubstr("disk 85%")));
  EXPECT_THAT(about, HasSubstr(R"("customData":{})"));
  EXPECT_EQ(get("/status/traverse?dependencies=b,c").status, 403);
  EXPECT_EQ(get("/status/traverse?dependencies=b").status, 403);
  EXPECT_EQ(get("/status/traverse?dependencies=b,c", kTokenB).status, 403)
      << "B's token is B's, not A's";
}

TEST_F(SidecarTokenGraph, ARecordingPeerSeesOnlyWhatTheServiceSends) {
  const auto traversed =
      get("/status/traverse?dependencies=recorder", kTokenA,
          {{"Cookie", "session=caller"}, {"X-Custom", "caller"}, {"traceparent", kTrace}});
  EXPECT_EQ(traversed.body, R"({"id":"recorder","dependencies":[]})");
  EXPECT_EQ(recorder_.last_header("Authorization"), bearer(kPeerToken));
  EXPECT_EQ(recorder_.last_header("X-Api-Key"), kPeerToken);
  EXPECT_EQ(recorder_.last_header("Cookie"), "");
  EXPECT_EQ(recorder_.last_header("X-Custom"), "");
  EXPECT_EQ(recorder_.last_header("traceparent"), kTrace) << "a trace follows a walk";
  // The check sends the configured credentials too, and no trace of its own caller's.
  (void)get("/status/recorder", kTokenA, {{"traceparent", kTrace}});
  EXPECT_EQ(recorder_.targets().back(), "/status/aggregate");
  EXPECT_EQ(recorder_.last_header("Authorization"), bearer(kPeerToken));
  EXPECT_EQ(recorder_.last_header("traceparent"), "");
}

TEST_F(SidecarTokenGraph, NoSecretInAnyAnswerOrLogLine) {
  for (const char* token : {static_cast<const char*>(nullptr), kTokenA}) {
    for (const char* target :
         {"/status/aggregate", "/status/about", "/status/v2/about", "/status/leaky",
          "/status/v2/leaky", "/status/b", "/status/traverse?dependencies=b",
          "/status/traverse?dependencies=b,c", "/status/traverse?dependencies=b&action=aggregate",
          "/status/traverse?dependencies=recorder", "/status/nope"}) {
      (void)get(target, token);
    }
  }
  // The leaky check's URL holds a secret: its details show where it went, masked.
  EXPECT_THAT(get("/status/v2/leaky", kTokenA).body, HasSubstr("/health?key=***"));
  EXPECT_THAT(get("/status/about", kTokenA).body, HasSubstr("deployed with ***"));
  expect_no_secret(seen_, "answers");
  // And the logs: everything each sidecar printed, up to its stop.
  for (auto* process : {a_.get(), b_.get(), c_.get()}) {
    process->kill();
    std::string log;
    while (auto line = process->read_line(std::chrono::seconds(5))) log += *line + "\n";
    expect_no_secret(log, "log");
  }
}

}  // namespace
}  // namespace healthchecks
