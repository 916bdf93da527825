// Harness "grpc-app": statements in a function of an application that has its `registry` (a
// healthchecks::Registry) and serves gRPC (compiled with gRPC's include directories; fails
// without the component).
#include <grpcpp/grpcpp.h>

#include <healthchecks.hpp>
#include <healthchecks/grpc/health_service.hpp>

void snippet([[maybe_unused]] healthchecks::Registry& registry) {
  // @SNIPPET@
}
