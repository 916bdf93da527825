// The IETF health+json answer through a real sidecar: a Redis started for the test, the disk,
// and a static check, asked as a health+json client and as curl asks.
#include <cstdlib>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/health_json_shape.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using testing::expect_health_json_shape;
using ::testing::HasSubstr;
using testing::http_get;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kToken = "health-json-token-0123456789";

TEST(SidecarHealthJson, NegotiatedByAcceptWithTheDraftsStatusCodes) {
  setenv("HJ_STATUS_TOKEN", kToken, 1);  // secrets come from the environment, as in production
  testing::RedisServer redis;
  testing::TempDir dir;
  const auto config = dir.write("svc.json", R"({"listen": "127.0.0.1:0",
    "about": {"id": "orders", "summary": "Orders", "description": "Takes orders"},
    "version": "1.4.2",
    "access": {"token": "${HJ_STATUS_TOKEN}"},
    "checks": [
      {"name": "Cache", "slug": "cache", "check": "redis", "port": )" +
                                                std::to_string(redis.port()) + R"(},
      {"name": "Disk", "slug": "disk", "check": "disk", "path": "/", "warnPercentFree": 0,
       "critPercentFree": 0},
      {"name": "Queue", "slug": "queue", "check": "static", "type": "external"}]})");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  const auto port = testing::wait_until_serving(sidecar);
  const std::map<std::string, std::string> health_json{{"Accept", "application/health+json"}};
  const std::map<std::string, std::string> with_token{
      {"Accept", "application/health+json;q=1, application/json;q=0.9"},
      {"Authorization", std::string("Bearer ") + kToken}};

  auto reply = http_get(port, "/status/aggregate", "GET", with_token);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type"), "application/health+json");
  EXPECT_EQ(reply.header("vary"), "Accept");
  auto doc = expect_health_json_shape(reply.body);
  EXPECT_EQ(doc["status"], "pass");
  EXPECT_EQ(doc["serviceId"], "orders");
  EXPECT_EQ(doc["version"], "1.4.2");
  EXPECT_EQ(doc["description"], "Takes orders");
  EXPECT_EQ(doc["checks"]["Cache:responseTime"][0]["componentType"], "datastore");
  EXPECT_EQ(doc["checks"]["Cache:responseTime"][0]["componentId"], "cache");
  EXPECT_EQ(doc["checks"]["Disk:responseTime"][0]["componentType"], "system");
  EXPECT_EQ(doc["checks"]["Queue:responseTime"][0]["componentType"], "component");
  EXPECT_GT(doc["checks"]["Cache:responseTime"][0]["observedValue"].get<double>(), 0.0);

  redis.stop();
  reply = http_get(port, "/status/aggregate", "GET", with_token);
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/health+json");
  doc = expect_health_json_shape(reply.body);
  EXPECT_EQ(doc["status"], "fail");
  const auto& cache = doc["checks"]["Cache:responseTime"][0];
  EXPECT_EQ(cache["status"], "fail");
  EXPECT_THAT(cache["output"].get<std::string>(), HasSubstr("Connection refused"));
  EXPECT_THAT(doc["output"].get<std::string>(), HasSubstr("Connection refused"));

  // Without the token: the verdict, no output, no version.
  reply = http_get(port, "/status/about", "GET", health_json);
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.header("content-type"), "application/health+json");
  doc = expect_health_json_shape(reply.body);
  EXPECT_EQ(doc["status"], "fail");
  EXPECT_FALSE(doc.contains("output"));
  EXPECT_FALSE(doc.contains("version"));
  EXPECT_FALSE(doc["checks"]["Cache:responseTime"][0].contains("output"));
  EXPECT_THAT(reply.body, Not(HasSubstr("refused")));

  // HEAD: the same status and type, no body.
  reply = http_get(port, "/status/v2/aggregate?type=internal", "HEAD", health_json);
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.header("content-type"), "application/health+json");
  EXPECT_EQ(reply.body, "");

  // curl's */*, no Accept at all, a tie, or a malformed field: the Health Checks API answer.
  const auto plain = http_get(port, "/status/aggregate");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(plain.header("vary"), "Accept");
  EXPECT_THAT(plain.body, StartsWith(R"(["CRIT",{"description":"","result":"CRIT")"));
  for (const char* accept : {"*/*", "application/health+json, application/json",
                             "application/health+json;q=1.5", "application/json"}) {
    reply = http_get(port, "/status/aggregate", "GET", {{"Accept", accept}});
    EXPECT_EQ(reply.status, 200) << accept;
    EXPECT_EQ(reply.header("content-type"), "application/json; charset=utf-8") << accept;
    EXPECT_EQ(reply.header("vary"), "Accept") << accept;
    EXPECT_EQ(reply.body, plain.body) << accept;
  }
  // A dependency's own endpoint never negotiates.
  reply = http_get(port, "/status/cache", "GET", health_json);
  EXPECT_EQ(reply.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(reply.header("vary"), "");
}

}  // namespace
}  // namespace healthchecks
