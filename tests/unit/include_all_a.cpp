// Every public header, in a second translation unit beside include_all_b.cpp: a function
// defined in a header without inline would be defined twice and fail to link.
#include "healthchecks.hpp"
#include "healthchecks/asio/executor.hpp"
#include "healthchecks/beast/router_adapter.hpp"
#include "healthchecks/testing.hpp"
#ifdef HEALTHCHECKS_TEST_HTTPLIB
#include "healthchecks/httplib/router_adapter.hpp"
#endif

#include <gtest/gtest.h>

TEST(PublicHeaders, StandTogether_a) {
  EXPECT_EQ(healthchecks::to_string(healthchecks::Level::ok), "OK");
}
