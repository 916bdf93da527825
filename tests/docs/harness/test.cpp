// Harness "test": the snippet is the body of a GoogleTest test of a user's check, made by
// `my_check()`, with healthchecks/testing.hpp.
#include <chrono>

#include <gtest/gtest.h>

#include <healthchecks.hpp>
#include <healthchecks/testing.hpp>

healthchecks::Check my_check();

TEST(MyCheck, IsOk) {
  // @SNIPPET@
}
