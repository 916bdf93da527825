// The keys of the memcached check, and the http check's jsonPointer and levels, in the sidecar's
// configuration: read, and each mistake named with its file, key and what was expected.
#include "sidecar/config.hpp"
#include "support/config_errors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace healthchecks::sidecar {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

std::string one_check(const std::string& keys) {
  return R"({"checks": [{"name": "Cache", "slug": "cache", )" + keys + "}]}";
}

TEST(SidecarConfigMemcached, ReadsItsKeys) {
  const auto config =
      parse_config(one_check(R"("check": "memcached", "host": "127.0.0.1", "port": 11212,
                 "warnEvictionsPerSec": 10, "warnFillPercent": 90.5, "warnMs": 50)"),
                   "svc.json", "");
  ASSERT_EQ(config.endpoints.size(), 1u);
  EXPECT_TRUE(config.endpoints[0].check.is_async());
  EXPECT_EQ(config.endpoints[0].check.component_type(), "datastore");
  EXPECT_EQ(config.endpoints[0].type, "internal");
  EXPECT_NO_THROW(parse_config(one_check(R"("check": "memcached")"), "svc.json", ""));
}

TEST(SidecarConfigMemcached, NamesFileKeyAndExpectation) {
  EXPECT_THAT(error_of(one_check(R"("check": "memcached", "port": 0)")),
              HasSubstr("svc.json: key 'checks[0].port': expected a number from 1 to 65535, "
                        "found 0"));
  EXPECT_THAT(error_of(one_check(R"("check": "memcached", "warnFillPercent": 150)")),
              HasSubstr("svc.json: key 'checks[0].warnFillPercent': expected a number from 0 "
                        "to 100, found 150"));
  EXPECT_THAT(error_of(one_check(R"("check": "memcached", "warnEvictionsPerSec": -1)")),
              HasSubstr("svc.json: key 'checks[0].warnEvictionsPerSec': expected a number from "
                        "0 to"));
  EXPECT_THAT(error_of(one_check(R"("check": "memcached", "warnEvictionsPerSec": "10")")),
              HasSubstr("svc.json: key 'checks[0].warnEvictionsPerSec': expected a number, found "
                        "string \"10\""));
  EXPECT_THAT(error_of(one_check(R"("check": "memcached", "host": 1)")),
              HasSubstr("svc.json: key 'checks[0].host': expected a string, found number 1"));
  EXPECT_THAT(error_of(one_check(R"("check": "memcached", "password": "x")")),
              HasSubstr("svc.json: key 'checks[0].password': unknown key (known here: "));
  EXPECT_THAT(error_of(one_check(R"("check": "memcache")")),
              HasSubstr("key 'checks[0].check': expected one of \"static\", \"http\", \"tcp\", "
                        "\"redis\", \"memcached\","));
}

std::string http_check(const std::string& keys) {
  return one_check(R"("check": "http", "url": "http://127.0.0.1:9200/_cluster/health", )" + keys);
}

TEST(SidecarConfigJsonLevels, ReadsThePointerAndTheLevels) {
  EXPECT_NO_THROW(parse_config(
      http_check(
          R"("jsonPointer": "/status", "levels": {"green": "OK", "yellow": "WARN", "red": "CRIT"})"),
      "svc.json", ""));
  EXPECT_NO_THROW(parse_config(
      http_check(R"("jsonPointer": "/a~1b/0", "levels": {"false": "OK"}, "method": "GET")"),
      "svc.json", ""));
  EXPECT_NO_THROW(
      parse_config(http_check(R"("jsonPointer": "", "levels": {"UP": "OK"})"), "svc.json", ""));
}

TEST(SidecarConfigJsonLevels, NamesFileKeyAndExpectation) {
  EXPECT_THAT(error_of(http_check(R"("jsonPointer": "status", "levels": {"green": "OK"})")),
              HasSubstr("svc.json: key 'checks[0].jsonPointer': expected a JSON Pointer (RFC "
                        "6901) such as \"/status\""));
  EXPECT_THAT(error_of(http_check(R"("jsonPointer": "status", "levels": {"green": "OK"})")),
              HasSubstr("found \"status\""));
  EXPECT_THAT(error_of(http_check(R"("jsonPointer": "/a~2", "levels": {"green": "OK"})")),
              HasSubstr("svc.json: key 'checks[0].jsonPointer': expected a JSON Pointer"));
  EXPECT_THAT(
      error_of(http_check(R"("jsonPointer": 1, "levels": {"green": "OK"})")),
      HasSubstr("svc.json: key 'checks[0].jsonPointer': expected a string, found number 1"));
  EXPECT_THAT(error_of(http_check(R"("jsonPointer": "/status", "levels": {"green": "BAD"})")),
              HasSubstr("svc.json: key 'checks[0].levels.green': expected \"OK\", \"WARN\" or "
                        "\"CRIT\", found string \"BAD\""));
  EXPECT_THAT(error_of(http_check(R"("jsonPointer": "/status", "levels": {"green": 0})")),
              HasSubstr("key 'checks[0].levels.green': expected \"OK\", \"WARN\" or \"CRIT\", "
                        "found number 0"));
  EXPECT_THAT(error_of(http_check(R"("jsonPointer": "/status", "levels": {})")),
              HasSubstr("key 'checks[0].levels': expected an object such as {\"green\": \"OK\""));
  EXPECT_THAT(error_of(http_check(R"("jsonPointer": "/status", "levels": ["OK"])")),
              HasSubstr("key 'checks[0].levels': expected an object such as"));
  EXPECT_THAT(error_of(http_check(R"("jsonPointer": "/status")")),
              HasSubstr("key 'checks[0].levels': missing; expected an object such as"));
  EXPECT_THAT(error_of(http_check(R"("levels": {"green": "OK"})")),
              HasSubstr("key 'checks[0].jsonPointer': missing; levels need a JSON Pointer"));
  EXPECT_THAT(
      error_of(http_check(R"("jsonPointer": "/status", "levels": {"UP": "OK"}, "method": "HEAD")")),
      HasSubstr("key 'checks[0].method': expected \"GET\" with levels"));
  EXPECT_THAT(error_of(http_check(
                  R"("jsonPointer": "/status", "levels": {"UP": "OK"}, "expectStatus": [200])")),
              HasSubstr("key 'checks[0].expectStatus': does not go with levels"));
  EXPECT_THAT(error_of(http_check(
                  R"("jsonPointer": "/status", "levels": {"UP": "OK"}, "bodyContains": "UP")")),
              HasSubstr("key 'checks[0].bodyContains': does not go with levels"));
  EXPECT_THAT(error_of(http_check(R"("jsonPath": "/status")")),
              HasSubstr("key 'checks[0].jsonPath': unknown key (known here: "));
}

}  // namespace
}  // namespace healthchecks::sidecar
