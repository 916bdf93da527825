#include "healthchecks/access.hpp"

#include <gtest/gtest.h>

namespace healthchecks {
namespace {

bool allowed(const std::function<bool(const Request&)>& allow, const Fields* fields) {
  return allow(Request("GET", "/status/about", fields));
}

TEST(BearerToken, AllowsExactlyTheToken) {
  const auto allow = bearer_token("s3cret");
  const Fields right{{"Authorization", "Bearer s3cret"}};
  EXPECT_TRUE(allowed(allow, &right));
}

TEST(BearerToken, RefusesAnythingElse) {
  const auto allow = bearer_token("s3cret");
  EXPECT_FALSE(allowed(allow, nullptr));
  for (const char* given : {"", "Bearer ", "Bearer s3cre", "Bearer s3cret2", "Bearer S3CRET",
                            "bearer s3cret", "Basic s3cret", "Bearer  s3cret", "s3cret"}) {
    const Fields fields{{"Authorization", given}};
    EXPECT_FALSE(allowed(allow, &fields)) << given;
  }
  const Fields other{{"X-Token", "Bearer s3cret"}};
  EXPECT_FALSE(allowed(allow, &other));
}

TEST(BearerToken, AnEmptyTokenNeedsAnEmptyBearer) {
  const auto allow = bearer_token("");
  const Fields empty{{"Authorization", "Bearer "}};
  const Fields some{{"Authorization", "Bearer x"}};
  EXPECT_TRUE(allowed(allow, &empty));
  EXPECT_FALSE(allowed(allow, &some));
}

}  // namespace
}  // namespace healthchecks
