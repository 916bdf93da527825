// A consumer of the installed healthchecks::grpc: the health service on a gRPC server of its
// own, answering one Check (through the server's in-process channel) before it stops.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <healthchecks.hpp>
#include <healthchecks/grpc/health_service.hpp>

int main() {
  healthchecks::Registry registry;
  registry.add({"Database", "db", healthchecks::Check([] { return true; })});
  healthchecks::GrpcHealthService health(registry);
  grpc::ServerBuilder builder;
  health.add_to(builder);
  auto server = builder.BuildAndStart();
  if (!server) return 1;
  // A generic call: the consumer has none of the generated code, which the library keeps.
  grpc::GenericStub stub(server->InProcessChannel(grpc::ChannelArguments()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice nothing{std::string()};  // HealthCheckRequest{service: ""} is no bytes
  grpc::ByteBuffer request(&nothing, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  bool done = false;
  std::mutex mutex;
  std::condition_variable cv;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mutex);
                   status = s;
                   done = true;
                   cv.notify_one();
                 });
  std::unique_lock<std::mutex> lock(mutex);
  cv.wait(lock, [&] { return done; });
  std::vector<grpc::Slice> slices;
  if (status.ok()) (void)response.Dump(&slices);
  std::string bytes;
  for (const auto& slice : slices) bytes.append(slice.begin(), slice.end());
  // HealthCheckResponse{status: SERVING (1)}: field 1, varint 1.
  const bool serving = status.ok() && bytes == std::string("\x08\x01", 2);
  std::printf("Check \"\": %s\n", serving ? "SERVING" : status.error_message().c_str());
  server->Shutdown();
  return serving ? 0 : 1;
}
