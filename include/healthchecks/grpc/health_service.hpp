// grpc.health.v1.Health served from a Registry: what load balancers, Kubernetes `grpc` probes
// and service meshes ask a gRPC service, answered from the same dependencies as /status/...
// Component healthchecks::grpc (CMake: find_package(healthchecks COMPONENTS grpc)).
#pragma once

#include <chrono>
#include <memory>

#include "healthchecks/registry.hpp"

namespace grpc {
class ServerBuilder;
class Service;
}  // namespace grpc

namespace healthchecks {

struct GrpcHealthOptions {
  /// What a WARN verdict reads: SERVING (true, the default: degraded still serves) or
  /// NOT_SERVING.
  bool warn_is_serving = true;
  /// While a Watch is open, the checks it follows that have no `interval` of their own run this
  /// often, so that the stream sees their changes (checks with an interval keep theirs).
  std::chrono::milliseconds watch_refresh{5000};
};

/// The service, for a grpc::ServerBuilder:
///
///     healthchecks::GrpcHealthService health(registry);
///     grpc::ServerBuilder builder;
///     builder.AddListeningPort("127.0.0.1:9090", grpc::InsecureServerCredentials());
///     health.add_to(builder);
///     auto server = builder.BuildAndStart();
///
/// Service names: "" is the aggregate, a slug that dependency, "type:internal" and
/// "type:external" the aggregate of those types. OK reads SERVING, CRIT NOT_SERVING, WARN as
/// `warn_is_serving` says. Check runs the checks as aggregate does (remembered results, single
/// flight), bounded by the call's deadline; an unknown name fails with NOT_FOUND. Watch sends the
/// current status at once and then one message per change; an unknown name streams
/// SERVICE_UNKNOWN and stays open.
///
/// Do not also enable gRPC's own health service (grpc::EnableDefaultHealthCheckService(true)):
/// both would register grpc.health.v1.Health. The GrpcHealthService must outlive the server
/// (destroy it after server->Shutdown()).
class GrpcHealthService {
 public:
  explicit GrpcHealthService(Registry& registry, GrpcHealthOptions options = {});
  ~GrpcHealthService();
  GrpcHealthService(const GrpcHealthService&) = delete;
  GrpcHealthService& operator=(const GrpcHealthService&) = delete;

  /// Registers the service with `builder` (builder.RegisterService(service())).
  void add_to(grpc::ServerBuilder& builder);
  /// The service itself, for builders reached another way.
  grpc::Service* service() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace healthchecks
