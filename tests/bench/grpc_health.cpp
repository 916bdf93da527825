// grpc_health: grpc.health.v1.Health/Check calls per second against GrpcHealthService and
// against a bare gRPC server whose Check answers SERVING at once (the ceiling: a trivial unary
// method), measured in the same run, rounds alternating, so that the ratio means something on a
// shared machine (scripts/grpc-bench.sh).
//
//   grpc_health serve bare       serves the trivial Check
//   grpc_health serve ours       serves GrpcHealthService over a Registry of four checks that
//                                refresh in the background (intervalMs 1000), as a polled
//                                service would have them
//   grpc_health client BARE_PORT OURS_PORT [SECONDS=3] [ROUNDS=5] [CONCURRENCY=32]
//
// A server prints "listening on 127.0.0.1:PORT" and serves until killed. Both use gRPC's
// callback API (GrpcHealthService does), with at most two threads of gRPC's sync pool
// (ResourceQuota) and the executor gRPC sizes itself. The client keeps CONCURRENCY calls in
// flight on one channel (one HTTP/2 connection) for SECONDS, first to bare then to ours, ROUNDS
// times, and prints each round, then a Markdown row: the median of ours / bare per round.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "healthchecks/grpc/health_service.hpp"
#include "healthchecks/registry.hpp"

namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using Clock = std::chrono::steady_clock;

// The ceiling: the same callback API, no work at all.
class BareHealth final : public Health::CallbackService {
  ::grpc::ServerUnaryReactor* Check(::grpc::CallbackServerContext* context,
                                    const HealthCheckRequest*,
                                    HealthCheckResponse* response) override {
    response->set_status(HealthCheckResponse::SERVING);
    auto* reactor = context->DefaultReactor();
    reactor->Finish(::grpc::Status::OK);
    return reactor;
  }
};

int serve(const std::string& which) {
  ::grpc::ServerBuilder builder;
  ::grpc::ResourceQuota quota("bench");
  quota.SetMaxThreads(2);
  builder.SetResourceQuota(quota);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", ::grpc::InsecureServerCredentials(), &port);
  BareHealth bare;
  healthchecks::Registry registry;
  std::unique_ptr<healthchecks::GrpcHealthService> ours;
  if (which == "bare") {
    builder.RegisterService(&bare);
  } else if (which == "ours") {
    for (const char* slug : {"db", "cache", "queue", "search"}) {
      healthchecks::StatusEndpoint endpoint(slug, slug, "internal",
                                            [] { return healthchecks::Status::ok(); });
      endpoint.interval = std::chrono::milliseconds(1000);
      registry.add(endpoint);
    }
    registry.start();
    ours = std::make_unique<healthchecks::GrpcHealthService>(registry);
    ours->add_to(builder);
  } else {
    std::fprintf(stderr, "grpc_health serve: expected bare or ours, found '%s'\n", which.c_str());
    return 2;
  }
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "grpc_health serve %s: could not listen on 127.0.0.1\n", which.c_str());
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server->Wait();  // until killed
  return 0;
}

// CONCURRENCY calls kept in flight until `stop`; each answer starts the next call.
class Load {
 public:
  Load(Health::Stub& stub, int concurrency) : stub_(stub), concurrency_(concurrency) {}

  // Calls answered SERVING per second over `seconds`, and the calls that failed.
  std::pair<double, long> run(double seconds) {
    answered_ = 0;
    failed_ = 0;
    stop_ = false;
    in_flight_ = concurrency_;
    const auto started = Clock::now();
    for (int i = 0; i < concurrency_; ++i) start_call();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const long answered = answered_.load();
    const auto elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    stop_ = true;
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [this] { return in_flight_ == 0; });
    return {answered / elapsed, failed_.load()};
  }

 private:
  struct Call {
    ::grpc::ClientContext context;
    HealthCheckRequest request;
    HealthCheckResponse response;
  };

  void start_call() {
    auto* call = new Call;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    stub_.async()->Check(&call->context, &call->request, &call->response,
                         [this, call](const ::grpc::Status& status) { on_call(call, status); });
  }

  void on_call(Call* call, const ::grpc::Status& status) {
    const bool serving = status.ok() && call->response.status() == HealthCheckResponse::SERVING;
    delete call;
    if (stop_) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--in_flight_ == 0) idle_.notify_all();
      return;
    }
    (serving ? answered_ : failed_)++;
    start_call();
  }

  Health::Stub& stub_;
  const int concurrency_;
  std::atomic<long> answered_{0}, failed_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable idle_;
  int in_flight_ = 0;
};

std::unique_ptr<Health::Stub> stub_for(const std::string& port) {
  return Health::NewStub(
      ::grpc::CreateChannel("127.0.0.1:" + port, ::grpc::InsecureChannelCredentials()));
}

int client(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: grpc_health client BARE_PORT OURS_PORT [SECONDS] [ROUNDS] "
                 "[CONCURRENCY]\n");
    return 2;
  }
  const double seconds = argc > 4 ? std::atof(argv[4]) : 3;
  const int rounds = argc > 5 ? std::atoi(argv[5]) : 5;
  const int concurrency = argc > 6 ? std::atoi(argv[6]) : 32;
  auto bare_stub = stub_for(argv[2]);
  auto ours_stub = stub_for(argv[3]);
  Load bare(*bare_stub, concurrency);
  Load ours(*ours_stub, concurrency);
  bare.run(0.5);  // connected, warm, first results in the registry
  ours.run(0.5);
  std::vector<double> ratios;
  std::string rounds_text, last;
  long failures = 0;
  for (int i = 0; i < rounds; ++i) {
    const auto [bare_rate, bare_failed] = bare.run(seconds);
    const auto [ours_rate, ours_failed] = ours.run(seconds);
    failures += bare_failed + ours_failed;
    ratios.push_back(ours_rate / bare_rate);
    char text[160];
    std::snprintf(text, sizeof text, "%.0f calls/s (bare %.0f), failed %ld", ours_rate, bare_rate,
                  bare_failed + ours_failed);
    last = text;
    std::snprintf(text, sizeof text, "%s%.2f", i == 0 ? "" : " ", ratios.back());
    rounds_text += text;
    std::fprintf(stderr, "grpc round %d: ours %s, ratio %.2f\n", i + 1, last.c_str(),
                 ratios.back());
  }
  std::vector<double> sorted = ratios;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[(sorted.size() - 1) / 2];
  std::printf(
      "| grpc.health.v1 Check, GrpcHealthService (aggregate of 4 checks, intervalMs 1000) / "
      "bare callback server | **%.2f** (rounds: %s) | >= 0.7 %s | %s |\n",
      median, rounds_text.c_str(), median >= 0.7 && failures == 0 ? "met" : "MISSED", last.c_str());
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "serve" && argc > 2) return serve(argv[2]);
  if (mode == "client") return client(argc, argv);
  std::fprintf(stderr,
               "usage: grpc_health serve bare|ours\n"
               "       grpc_health client BARE_PORT OURS_PORT [SECONDS=3] [ROUNDS=5] "
               "[CONCURRENCY=32]\n");
  return 2;
}
