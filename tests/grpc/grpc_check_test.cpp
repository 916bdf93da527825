#include <gtest/gtest.h>

#include "grpc/health/v1/health.grpc.pb.h"

TEST(Grpc, Placeholder23117) { SUCCEED(); }
