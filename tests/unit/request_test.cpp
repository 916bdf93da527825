#include "healthchecks/request.hpp"

#include <string>

#include <gtest/gtest.h>

namespace healthchecks {
namespace {

TEST(Fields, FindIsCaseInsensitiveAndAnswersTheFirst) {
  Fields fields{{"Authorization", "Bearer a"}, {"X-Trace", "1"}};
  fields.add("authorization", "Bearer b");
  EXPECT_EQ(fields.find("AUTHORIZATION"), "Bearer a");
  EXPECT_EQ(fields.find("x-trace"), "1");
  EXPECT_EQ(fields.find("X-Trac"), std::nullopt);
  EXPECT_EQ(fields.size(), 3U);
  EXPECT_EQ(fields.all().back().second, "Bearer b");
}

TEST(Fields, StartsEmpty) {
  const Fields fields;
  EXPECT_TRUE(fields.empty());
  EXPECT_EQ(fields.find("Host"), std::nullopt);
}

TEST(Request, TakesHeadersByReferenceOrPointer) {
  const Fields fields{{"X-Healthchecks-Hops", "2"}};
  const Request by_reference("GET", "/status/about", fields, "10.0.0.1");
  EXPECT_EQ(by_reference.method, "GET");
  EXPECT_EQ(by_reference.target, "/status/about");
  EXPECT_EQ(by_reference.remote_address, "10.0.0.1");
  EXPECT_EQ(by_reference.header("x-healthchecks-hops"), "2");

  const Request by_pointer("HEAD", "/status/am-i-up", &fields);
  EXPECT_EQ(by_pointer.header("X-Healthchecks-Hops"), "2");
}

TEST(Request, WithoutHeadersFindsNothing) {
  const Request request("GET", "/status/about");
  EXPECT_EQ(request.headers, nullptr);
  EXPECT_EQ(request.header("Host"), std::nullopt);
  EXPECT_EQ(Request().method, "GET");
}

}  // namespace
}  // namespace healthchecks
