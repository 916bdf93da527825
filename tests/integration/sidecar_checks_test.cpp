// Every kind of check through a real sidecar process, against real dependencies: a Redis, a
// memcached and a PostgreSQL started for the test, the sidecar's own port, its disk, itself and a
// command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fake_peer.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using testing::http_get;
using ::testing::StartsWith;

TEST(SidecarChecks, EveryKindAgainstTheRealThing) {
  testing::RedisServer redis;
  testing::MemcachedServer memcached;
  testing::TempDir dir;
  const auto sidecar_port = testing::free_port();
  std::string checks = R"({"name": "Redis", "slug": "redis", "check": "redis", "port": )" +
                       std::to_string(redis.port()) + R"(},
    {"name": "Memcached", "slug": "memcached", "check": "memcached", "port": )" +
                       std::to_string(memcached.port()) +
                       R"(, "warnFillPercent": 90, "warnEvictionsPerSec": 100, "warnMs": 1000},
    {"name": "Port", "slug": "port", "check": "tcp", "port": )" +
                       std::to_string(sidecar_port) + R"(},
    {"name": "Itself", "slug": "itself", "check": "http", "url": "http://127.0.0.1:)" +
                       std::to_string(sidecar_port) + R"(/status/am-i-up"},
    {"name": "Disk", "slug": "disk", "check": "disk", "path": "/", "warnPercentFree": 0, "critPercentFree": 0},
    {"name": "Self", "slug": "self", "check": "self", "critRssMiB": 4096},
    {"name": "Plugin", "slug": "plugin", "check": "command", "argv": ["/bin/sh", "-c", "echo 'LOAD WARNING - 7.0 | load=7'; exit 1"]})";
#ifdef HEALTHCHECKS_HAS_POSTGRES
  testing::PostgresServer postgres;
  checks += R"(,
    {"name": "Postgres", "slug": "postgres", "check": "postgres", "conninfo": ")" +
            postgres.conninfo() + R"("})";
#endif
  const auto config =
      dir.write("svc.json", R"({"listen": "127.0.0.1:)" + std::to_string(sidecar_port) +
                                R"(", "checks": [)" + checks + "]}");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  const auto port = testing::wait_until_serving(sidecar);

  const auto get = [port](const std::string& slug) {
    return http_get(port, "/status/v2/" + slug).body;
  };
  EXPECT_THAT(get("redis"), HasSubstr(R"("result":"OK","details":"PONG from 127.0.0.1:)"));
  EXPECT_THAT(get("memcached"), HasSubstr(R"("result":"OK","details":"memcached 1.)"));
  EXPECT_THAT(get("memcached"), HasSubstr("0.0% full (0.0 of "));
  EXPECT_THAT(get("port"), HasSubstr(R"("result":"OK","details":"connected to 127.0.0.1:)"));
  EXPECT_THAT(get("itself"), HasSubstr(R"("result":"OK","details":"GET http://127.0.0.1:)"));
  EXPECT_THAT(get("disk"), HasSubstr(R"("result":"OK","details":"/: )"));
  EXPECT_THAT(get("self"), HasSubstr(R"("result":"OK","details":"RSS )"));
  EXPECT_EQ(get("plugin"),
            R"({"description":"Plugin","result":"WARN","details":"LOAD WARNING - 7.0"})");
#ifdef HEALTHCHECKS_HAS_POSTGRES
  EXPECT_THAT(get("postgres"), HasSubstr(R"("result":"OK","details":"SELECT 1 on 127.0.0.1:)"));
  postgres.stop();
  EXPECT_THAT(get("postgres"), HasSubstr(R"("result":"CRIT","details":"cannot connect to)"));
#endif
  memcached.stop();
  EXPECT_THAT(get("memcached"), HasSubstr(R"("result":"CRIT","details":"connect to 127.0.0.1:)"));
  redis.stop();
  const auto down = get("redis");
  EXPECT_THAT(down, HasSubstr(R"("result":"CRIT")"));
  EXPECT_THAT(down, HasSubstr("Connection refused"));
  EXPECT_THAT(http_get(port, "/status/aggregate").body,
              StartsWith(R"(["CRIT",{"description":"Redis")"));
}

// An http check with jsonPointer and levels, as an operator writes it for Spring Boot's actuator
// (the peer answers in its format: UP with 200, DOWN with 503).
TEST(SidecarChecks, HttpMapsAValueOfAJsonAnswerToALevel) {
  testing::FakePeer app;
  testing::TempDir dir;
  const auto config = dir.write("svc.json", R"({"listen": "127.0.0.1:0", "checks": [
    {"name": "App", "slug": "app", "check": "http", "url": ")" +
                                                app.url() +
                                                R"(/actuator/health",
     "jsonPointer": "/status", "levels": {"UP": "OK", "OUT_OF_SERVICE": "WARN", "DOWN": "CRIT"}}]})");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  const auto port = testing::wait_until_serving(sidecar);
  const auto get = [port] { return http_get(port, "/status/v2/app").body; };
  app.reply({200, "application/vnd.spring-boot.actuator.v3+json",
             R"({"status":"UP","components":{"ping":{"status":"UP"}}})"});
  EXPECT_THAT(get(), HasSubstr(R"("result":"OK","details":"GET )" + app.url() +
                               R"(/actuator/health: /status is \"UP\" (HTTP 200) in )"));
  app.reply({503, "application/vnd.spring-boot.actuator.v3+json",
             R"({"status":"DOWN","components":{"ping":{"status":"UP"}}})"});
  EXPECT_THAT(get(), HasSubstr(R"("result":"CRIT","details":"GET )" + app.url() +
                               R"(/actuator/health: /status is \"DOWN\" (HTTP 503) in )"));
  app.reply({200, "application/json", R"({"status":"UNKNOWN"})"});
  EXPECT_THAT(get(), HasSubstr(R"(/status is \"UNKNOWN\", not one of DOWN, OUT_OF_SERVICE, UP)"));
}

}  // namespace
}  // namespace healthchecks
