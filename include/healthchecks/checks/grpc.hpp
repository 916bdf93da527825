// A check that asks a gRPC dependency how it is: grpc.health.v1.Health/Check, the question load
// balancers and Kubernetes `grpc` probes ask. Component healthchecks::grpc
// (CMake: find_package(healthchecks COMPONENTS grpc), target healthchecks::grpc).
#pragma once

#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/tls.hpp"

namespace healthchecks::checks {

struct GrpcCheckOptions {
  /// The service name asked about; "" (the default) is the server as a whole.
  std::string service;
  /// Speak TLS to the target (otherwise plain text, as gRPC's insecure credentials do).
  bool use_tls = false;
  /// With use_tls: the CAs to trust (`ca_file`; the system trust store when empty) and a client
  /// certificate and key for servers that require mutual TLS (`cert_file`, `key_file`). gRPC
  /// 1.51's stable API can neither raise the oldest TLS version nor skip verification, nor read
  /// a folder of CAs: `min_version` other than TLS 1.2, `insecure_skip_verify` and `ca_dir` are
  /// refused.
  TlsClientOptions tls;
};

/// Calls grpc.health.v1.Health/Check on `target` ("host:port", or any gRPC target such as
/// "dns:///orders:50051" or "unix:/run/orders.sock") with the check's deadline, and reads:
/// - OK: SERVING, "SERVING from orders:50051 in 0.52 ms" (" (service 'orders.v1.Orders')" after
///   the target when a service is named);
/// - CRIT: NOT_SERVING, UNKNOWN or SERVICE_UNKNOWN, saying which; or the call failed, with the
///   gRPC status code and message: "orders:50051: NOT_FOUND: unknown service",
///   "UNAVAILABLE: failed to connect to all addresses ...", "DEADLINE_EXCEEDED: ...".
///
/// The channel is opened at the first run and kept for the life of the process, one per target
/// and TLS settings (checks that ask the same share it): gRPC reconnects by itself. Calls fail
/// fast when the channel cannot connect (no wait for ready), and no thread waits for the answer.
/// The TLS files are read when the channel is opened; one that cannot be read reads CRIT, and
/// the next run tries again.
/// @throws Error ("check: ...") for an empty target, or TLS options gRPC cannot honour.
Check grpc(std::string target, GrpcCheckOptions options = {});

}  // namespace healthchecks::checks
