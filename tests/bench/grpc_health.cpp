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
//                      [BARE_PID OURS_PID]
//
// A server prints "listening on 127.0.0.1:PORT" and serves until killed. Both use gRPC's
// callback API (GrpcHealthService does), with at most two threads of gRPC's sync pool
// (ResourceQuota) and the executor gRPC sizes itself. The client keeps CONCURRENCY calls in
// flight on one channel (one HTTP/2 connection) for SECONDS, first to bare then to ours, ROUNDS
// times, and prints each round, then a Markdown row: the median of ours / bare per round. Given
// the servers' process ids, also the CPU time each server spent per call (user + system, from
// /proc), which depends much less than throughput on what else the machine is doing: the median
// of bare / ours per round.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
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

  struct Result {
    double rate = 0;  // calls answered SERVING per second
    long answered = 0;
    long failed = 0;
  };
  Result run(double seconds) {
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
    return {answered / elapsed, answered, failed_.load()};
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

// CPU time (user + system) of process `pid` so far, in seconds; 0 without a pid.
double cpu_seconds(const std::string& pid) {
  if (pid.empty()) return 0;
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  std::getline(in, line);
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[(values.size() - 1) / 2];
}

std::string joined(const std::vector<double>& values) {
  std::string text;
  for (const double v : values) {
    char number[32];
    std::snprintf(number, sizeof number, "%s%.2f", text.empty() ? "" : " ", v);
    text += number;
  }
  return text;
}

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
  const std::string bare_pid = argc > 8 ? argv[7] : "";
  const std::string ours_pid = argc > 8 ? argv[8] : "";
  std::vector<double> ratios, cpu_ratios;
  std::string last;
  long failures = 0;
  for (int i = 0; i < rounds; ++i) {
    double cpu = cpu_seconds(bare_pid);
    const auto b = bare.run(seconds);
    const double bare_cpu = (cpu_seconds(bare_pid) - cpu) / static_cast<double>(b.answered);
    cpu = cpu_seconds(ours_pid);
    const auto o = ours.run(seconds);
    const double ours_cpu = (cpu_seconds(ours_pid) - cpu) / static_cast<double>(o.answered);
    failures += b.failed + o.failed;
    ratios.push_back(o.rate / b.rate);
    char text[200];
    std::snprintf(text, sizeof text, "%.0f calls/s (bare %.0f), failed %ld", o.rate, b.rate,
                  b.failed + o.failed);
    last = text;
    if (!bare_pid.empty()) {
      cpu_ratios.push_back(bare_cpu / ours_cpu);
      std::snprintf(text, sizeof text, "; server CPU per call %.1f µs (bare %.1f µs)",
                    ours_cpu * 1e6, bare_cpu * 1e6);
      last += text;
    }
    std::fprintf(stderr, "grpc round %d: ours %s, ratio %.2f\n", i + 1, last.c_str(),
                 ratios.back());
  }
  const double ratio = median(ratios);
  std::string cpu_cell = "not measured (no process ids)";
  bool cpu_met = true;
  if (!cpu_ratios.empty()) {
    cpu_cell = "**" + joined({median(cpu_ratios)}) + "** (rounds: " + joined(cpu_ratios) + ")";
    cpu_met = median(cpu_ratios) >= 0.7;
  }
  std::printf(
      "| grpc.health.v1 Check, GrpcHealthService (aggregate of 4 checks, intervalMs 1000) / "
      "bare callback server | **%.2f** (rounds: %s) | %s | >= 0.7 %s | %s |\n",
      ratio, joined(ratios).c_str(), cpu_cell.c_str(),
      ratio >= 0.7 && cpu_met && failures == 0 ? "met" : "MISSED", last.c_str());
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
