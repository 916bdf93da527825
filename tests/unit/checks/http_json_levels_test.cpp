// http() with json_pointer and levels: a value of any JSON answer mapped to a level, against a
// loopback server answering as Elasticsearch, Spring Boot, Vault and Consul do.
#include "healthchecks/checks/http.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "support/check_runner.hpp"
#include "support/fake_peer.hpp"
#include "support/matchers.hpp"

namespace healthchecks {
namespace {

using testing::FakePeer;
using ::testing::HasSubstr;
using testing::IsStatus;
using testing::run_check;

// Recorded answer formats, as the systems' documentation shows them (values changed, fields and
// layout kept). Elasticsearch GET /_cluster/health: 200 whatever the status.
std::string elasticsearch_health(const std::string& status, int unassigned) {
  return R"({
  "cluster_name" : "logs-prod",
  "status" : ")" +
         status + R"(",
  "timed_out" : false,
  "number_of_nodes" : 3,
  "number_of_data_nodes" : 3,
  "active_primary_shards" : 12,
  "active_shards" : 24,
  "relocating_shards" : 0,
  "initializing_shards" : 0,
  "unassigned_shards" : )" +
         std::to_string(unassigned) + R"(,
  "unassigned_primary_shards" : 0,
  "delayed_unassigned_shards" : 0,
  "number_of_pending_tasks" : 0,
  "number_of_in_flight_fetch" : 0,
  "task_max_waiting_in_queue_millis" : 0,
  "active_shards_percent_as_number" : 100.0
})";
}

// Spring Boot actuator GET /actuator/health (show-details, Boot 3): 200 UP, 503 DOWN.
const char* const kSpringUp =
    R"json({"status":"UP","components":{"db":{"status":"UP","details":{"database":"PostgreSQL","validationQuery":"isValid()"}},"diskSpace":{"status":"UP","details":{"total":499963174912,"free":91300069376,"threshold":10485760,"path":"/app/.","exists":true}},"ping":{"status":"UP"}}})json";
const char* const kSpringDown =
    R"({"status":"DOWN","components":{"db":{"status":"DOWN","details":{"error":"org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection"}},"diskSpace":{"status":"UP","details":{"total":499963174912,"free":91300069376,"threshold":10485760,"path":"/app/.","exists":true}},"ping":{"status":"UP"}}})";
const char* const kSpringType = "application/vnd.spring-boot.actuator.v3+json";

// Vault GET /v1/sys/health: 200 unsealed and active, 503 sealed.
std::string vault_health(bool sealed) {
  return std::string(R"({"initialized":true,"sealed":)") + (sealed ? "true" : "false") +
         R"(,"standby":false,"performance_standby":false,"replication_performance_mode":"disabled","replication_dr_mode":"disabled","server_time_utc":1732924800,"version":"1.15.2","enterprise":false,"cluster_name":"vault-cluster-3bd69ca2","cluster_id":"3bd69ca2-0c8b-5d5b-1d2a-9b5d6d5e1d3a","echo_duration_ms":0,"clock_skew_ms":0})";
}

// Consul GET /v1/health/node/<node>: an array of checks.
const char* const kConsulNode =
    R"([{"ID":"","Node":"web-1","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing","Notes":"","Output":"Agent alive and reachable","ServiceID":"","ServiceName":"","ServiceTags":[],"Type":"","Namespace":"default","Partition":"default","Definition":{},"CreateIndex":12,"ModifyIndex":12}])";

checks::HttpOptions mapping(std::string pointer,
                            std::vector<std::pair<std::string, Level>> levels) {
  checks::HttpOptions options;
  options.json_pointer = std::move(pointer);
  options.levels = std::move(levels);
  return options;
}

const std::vector<std::pair<std::string, Level>> kElasticLevels = {
    {"green", Level::ok}, {"yellow", Level::warn}, {"red", Level::crit}};

TEST(HttpCheckJsonLevels, ElasticsearchClusterHealth) {
  FakePeer es;
  const auto url = es.url() + "/_cluster/health";
  const auto check = checks::http(url, mapping("/status", kElasticLevels));
  es.reply({200, "application/json; charset=UTF-8", elasticsearch_health("green", 0)});
  EXPECT_THAT(run_check(check),
              IsStatus(Level::ok, "GET " + url + ": /status is \"green\" (HTTP 200) in "));
  es.reply({200, "application/json; charset=UTF-8", elasticsearch_health("yellow", 12)});
  EXPECT_THAT(run_check(check), IsStatus(Level::warn, ": /status is \"yellow\" (HTTP 200) in "));
  es.reply({200, "application/json; charset=UTF-8", elasticsearch_health("red", 24)});
  EXPECT_THAT(run_check(check), IsStatus(Level::crit, ": /status is \"red\" (HTTP 200) in "));
  EXPECT_EQ(es.targets(), std::vector<std::string>(3, "/_cluster/health"));
}

TEST(HttpCheckJsonLevels, SpringBootIsMappedWhateverItsStatusCode) {
  FakePeer app;
  const auto url = app.url() + "/actuator/health";
  const auto check =
      checks::http(url, mapping("/status", {{"UP", Level::ok}, {"DOWN", Level::crit}}));
  app.reply({200, kSpringType, kSpringUp});
  EXPECT_THAT(run_check(check), IsStatus(Level::ok, ": /status is \"UP\" (HTTP 200) in "));
  app.reply({503, kSpringType, kSpringDown});
  EXPECT_THAT(run_check(check), IsStatus(Level::crit, ": /status is \"DOWN\" (HTTP 503) in "));
  // One component, deeper in the same answer.
  const auto db = checks::http(
      url, mapping("/components/db/status", {{"UP", Level::ok}, {"DOWN", Level::warn}}));
  EXPECT_THAT(run_check(db), IsStatus(Level::warn, "/components/db/status is \"DOWN\" (HTTP 503)"));
}

TEST(HttpCheckJsonLevels, VaultSealedIsMatchedByItsJsonText) {
  FakePeer vault;
  const auto url = vault.url() + "/v1/sys/health";
  const auto check =
      checks::http(url, mapping("/sealed", {{"false", Level::ok}, {"true", Level::crit}}));
  vault.reply({200, "application/json", vault_health(false)});
  EXPECT_THAT(run_check(check), IsStatus(Level::ok, ": /sealed is false (HTTP 200) in "));
  vault.reply({503, "application/json", vault_health(true)});
  EXPECT_THAT(run_check(check), IsStatus(Level::crit, ": /sealed is true (HTTP 503) in "));
}

TEST(HttpCheckJsonLevels, ArrayElementsByIndex) {
  FakePeer consul;
  consul.reply({200, "application/json", kConsulNode});
  const auto url = consul.url() + "/v1/health/node/web-1";
  EXPECT_THAT(run_check(checks::http(url, mapping("/0/Status", {{"passing", Level::ok},
                                                                {"warning", Level::warn},
                                                                {"critical", Level::crit}}))),
              IsStatus(Level::ok, ": /0/Status is \"passing\" (HTTP 200)"));
  FakePeer cluster;
  cluster.reply(
      {200, "application/json", R"({"nodes": [{"status": "green"}, {"status": "yellow"}]})"});
  const auto levels = kElasticLevels;
  EXPECT_THAT(run_check(checks::http(cluster.url() + "/x", mapping("/nodes/0/status", levels))),
              IsStatus(Level::ok, "/nodes/0/status is \"green\""));
  EXPECT_THAT(run_check(checks::http(cluster.url() + "/x", mapping("/nodes/1/status", levels))),
              IsStatus(Level::warn, "/nodes/1/status is \"yellow\""));
  for (const char* absent : {"/nodes/2/status", "/nodes/01/status", "/nodes/-/status",
                             "/nodes/x/status", "/nodes/0/status/deeper"}) {
    EXPECT_THAT(run_check(checks::http(cluster.url() + "/x", mapping(absent, levels))),
                IsStatus(Level::crit, std::string(": answer has no ") + absent + " (HTTP 200): "))
        << absent;
  }
}

TEST(HttpCheckJsonLevels, PointerEscapesNameSlashAndTilde) {
  FakePeer peer;
  peer.reply({200, "application/json", R"({"a/b": {"m~n": "ok", "": "empty name"}})"});
  EXPECT_THAT(
      run_check(checks::http(peer.url() + "/x", mapping("/a~1b/m~0n", {{"ok", Level::ok}}))),
      IsStatus(Level::ok, ": /a~1b/m~0n is \"ok\""));
  EXPECT_THAT(
      run_check(checks::http(peer.url() + "/x", mapping("/a~1b/", {{"empty name", Level::warn}}))),
      IsStatus(Level::warn, ": /a~1b/ is \"empty name\""));
  // "" is the whole answer; a non-string matches its JSON text.
  peer.reply({200, "application/json", R"("UP")"});
  EXPECT_THAT(run_check(checks::http(peer.url() + "/x", mapping("", {{"UP", Level::ok}}))),
              IsStatus(Level::ok, ": the answer is \"UP\""));
  peer.reply({200, "application/json", R"({"replicas": 3, "leader": null})"});
  EXPECT_THAT(run_check(checks::http(peer.url() + "/x", mapping("/replicas", {{"3", Level::ok}}))),
              IsStatus(Level::ok, ": /replicas is 3"));
  EXPECT_THAT(
      run_check(checks::http(peer.url() + "/x", mapping("/leader", {{"null", Level::crit}}))),
      IsStatus(Level::crit, ": /leader is null (HTTP 200)"));
}

TEST(HttpCheckJsonLevels, AnUnknownValueAMissingPointerOrNoJsonReadCritSayingWhatCame) {
  FakePeer es;
  const auto url = es.url() + "/_cluster/health";
  const auto check = checks::http(url, mapping("/status", kElasticLevels));
  es.reply({200, "application/json", elasticsearch_health("purple", 0)});
  EXPECT_THAT(run_check(check), IsStatus(Level::crit, "GET " + url +
                                                          ": /status is \"purple\", not one of "
                                                          "green, yellow, red (HTTP 200)"));
  es.reply({200, "application/json", R"({"cluster_name": "logs-prod"})"});
  EXPECT_THAT(run_check(check),
              IsStatus(Level::crit, "GET " + url + ": answer has no /status (HTTP 200): {"));
  es.reply({502, "text/html", "<html><body>Bad Gateway</body></html>"});
  EXPECT_THAT(run_check(check),
              IsStatus(Level::crit, "GET " + url + ": answer is not JSON (HTTP 502): "));
  EXPECT_THAT(run_check(check), IsStatus(Level::crit, "; got: <html><body>Bad Gateway"));
  es.reply({204, "application/json", ""});
  EXPECT_THAT(run_check(check), IsStatus(Level::crit, ": answer is not JSON (HTTP 204): empty"));
  // An object or array at the pointer is shown cut, and matches its JSON text only.
  es.reply({200, "application/json", R"({"status": {"code": "green", "since": "2024-05-01"}})"});
  EXPECT_THAT(run_check(check), IsStatus(Level::crit, R"(: /status is {"code":"green",)"));
}

TEST(HttpCheckJsonLevels, HostileAnswersReadCritAndCrashNothing) {
  FakePeer peer;
  const auto check = checks::http(peer.url() + "/x", mapping("/status", kElasticLevels));
  // 100,000 levels deep: nlohmann's parser would recurse that deep; the depth limit refuses it.
  peer.reply({200, "application/json", std::string(100000, '[') + std::string(100000, ']')});
  EXPECT_THAT(run_check(check),
              IsStatus(Level::crit, "answer is not JSON (HTTP 200): nested deeper than 64 levels"));
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"status":)";
  peer.reply({200, "application/json", objects});
  EXPECT_THAT(run_check(check), IsStatus(Level::crit, "nested deeper than 64 levels"));
  // Larger than max_body: not read.
  auto small = mapping("/status", kElasticLevels);
  small.max_body = 1000;
  peer.reply({200, "application/json",
              R"({"status": "green", "pad": ")" + std::string(5000, 'x') + "\"}"});
  EXPECT_THAT(run_check(checks::http(peer.url() + "/x", small)), testing::HasLevel(Level::crit));
  // Bytes that are not UTF-8 and control characters are shown on one line.
  peer.reply({200, "application/json",
              "{\"status\": \"gr\xff"
              "en\\n\"}"});
  EXPECT_THAT(run_check(check), IsStatus(Level::crit,
                                         "/status is \"gr\xEF\xBF\xBD"
                                         "en\\n\""));
}

TEST(HttpCheckJsonLevels, ARootUrlIsReadAsItIsNotAsAPeer) {
  FakePeer peer;
  peer.reply({200, "application/json", R"({"status": "UP"})"});
  EXPECT_THAT(run_check(checks::http(peer.url(), mapping("/status", {{"UP", Level::ok}}))),
              IsStatus(Level::ok, "GET " + peer.url() + "/: /status is \"UP\""));
  EXPECT_EQ(peer.targets(), std::vector<std::string>{"/"});
  // A status array is JSON like any other answer.
  peer.reply({200, "application/json", R"(["CRIT", {"details": "x"}])"});
  EXPECT_THAT(run_check(checks::http(peer.url(), mapping("/0", {{"CRIT", Level::warn}}))),
              IsStatus(Level::warn, ": /0 is \"CRIT\""));
}

TEST(HttpCheckJsonLevels, RejectsWhatCannotWork) {
  const std::string url = "http://127.0.0.1:1/health";
  const auto message = [&url](checks::HttpOptions options) {
    try {
      (void)checks::http(url, std::move(options));
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), "check");
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(message(mapping("status", kElasticLevels)),
              HasSubstr("json_pointer 'status' is not a JSON Pointer (RFC 6901)"));
  EXPECT_THAT(message(mapping("/a~2b", kElasticLevels)), HasSubstr("is not a JSON Pointer"));
  EXPECT_THAT(message(mapping("/a~", kElasticLevels)), HasSubstr("is not a JSON Pointer"));
  EXPECT_THAT(message(mapping("/status", {})), HasSubstr("json_pointer '/status' needs levels"));
  auto head = mapping("/status", kElasticLevels);
  head.method = "HEAD";
  EXPECT_THAT(message(head), HasSubstr("a HEAD answer has no body to map"));
  auto with_status = mapping("/status", kElasticLevels);
  with_status.expect_status = {200};
  EXPECT_THAT(message(with_status), HasSubstr("leave expect_status and body_contains empty"));
  auto with_body = mapping("/status", kElasticLevels);
  with_body.body_contains = "green";
  EXPECT_THAT(message(with_body), HasSubstr("leave expect_status and body_contains empty"));
  EXPECT_EQ(message(mapping("", {{"UP", Level::ok}})), "no error");
}

}  // namespace
}  // namespace healthchecks
