// Every public header, in a second translation unit beside include_all_a.cpp: a function
// defined in a header without inline would be defined twice and fail to link.
#include "healthchecks.hpp"
#include "healthchecks/asio/executor.hpp"
#include "healthchecks/beast/router_adapter.hpp"
#include "healthchecks/testing.hpp"

#include <gtest/gtest.h>

TEST(PublicHeaders, StandTogether_b) {
  EXPECT_EQ(healthchecks::to_string(healthchecks::Level::ok), "OK");
}
