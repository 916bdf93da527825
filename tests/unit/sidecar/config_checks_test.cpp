// The keys of the memcached check in the sidecar's configuration: read, and each mistake named
// with its file, key and what was expected.
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

}  // namespace
}  // namespace healthchecks::sidecar
