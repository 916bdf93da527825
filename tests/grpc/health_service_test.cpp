// GrpcHealthService through the generated grpc.health.v1 stub, over a real channel to a real
// grpc::Server on loopback; and the sidecar's "grpc" key, served by the sidecar itself.
#include "healthchecks/grpc/health_service.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "healthchecks/registry.hpp"
#include "support/config_errors.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;
constexpr auto kServing = HealthCheckResponse::SERVING;
constexpr auto kNotServing = HealthCheckResponse::NOT_SERVING;
constexpr auto kUnknown = HealthCheckResponse::SERVICE_UNKNOWN;

// A dependency whose level the test sets.
struct Flip {
  std::atomic<Level> level{Level::ok};
  Check check() {
    return [this] { return Status{level.load(), {}, "set by the test"}; };
  }
};

StatusEndpoint endpoint(std::string slug, Check check,
                        StatusEndpoint::Type type = StatusEndpoint::Type::internal) {
  return StatusEndpoint(slug + " name", slug, type, std::move(check));
}

// The service on a grpc::Server at 127.0.0.1:<free port>, and a stub on a channel to it.
struct Served {
  explicit Served(Registry& registry, GrpcHealthOptions options = {}) : service(registry, options) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    service.add_to(builder);
    server = builder.BuildAndStart();
    EXPECT_TRUE(server && port > 0) << "the gRPC server did not start";
    stub = connect();
  }
  ~Served() {
    if (server) server->Shutdown(std::chrono::system_clock::now() + seconds(2));
  }
  std::unique_ptr<Health::Stub> connect() const {
    return Health::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                               grpc::InsecureChannelCredentials()));
  }
  // Check(name): the call's status and, when OK, the serving status.
  std::pair<grpc::StatusCode, HealthCheckResponse::ServingStatus> check(
      const std::string& name, milliseconds timeout = seconds(10)) const {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    HealthCheckRequest request;
    request.set_service(name);
    HealthCheckResponse response;
    const auto status = stub->Check(&context, request, &response);
    return {status.error_code(), response.status()};
  }

  GrpcHealthService service;  // outlives the server
  int port = 0;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<Health::Stub> stub;
};

const std::pair<grpc::StatusCode, HealthCheckResponse::ServingStatus> kOk{grpc::StatusCode::OK,
                                                                          kServing};
const std::pair<grpc::StatusCode, HealthCheckResponse::ServingStatus> kDown{grpc::StatusCode::OK,
                                                                            kNotServing};

// One Watch call, read on the test's thread (each read bounded by the call's deadline).
struct Watcher {
  Watcher(Health::Stub& stub, const std::string& name, milliseconds deadline = seconds(20)) {
    context.set_deadline(std::chrono::system_clock::now() + deadline);
    HealthCheckRequest request;
    request.set_service(name);
    reader = stub.Watch(&context, request);
  }
  HealthCheckResponse::ServingStatus next() {
    HealthCheckResponse response;
    EXPECT_TRUE(reader->Read(&response)) << "the stream ended";
    return response.status();
  }
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> reader;
};

TEST(GrpcHealthService, CheckReadsLevelsAsServingStatuses) {
  Flip db, cache;
  Registry registry;
  registry.add(endpoint("db", db.check()));
  auto optional = endpoint("cache", cache.check());
  optional.critical = false;
  registry.add(optional);
  Served served(registry);
  EXPECT_EQ(served.check(""), kOk);
  EXPECT_EQ(served.check("db"), kOk);

  db.level = Level::crit;
  EXPECT_EQ(served.check(""), kDown);
  EXPECT_EQ(served.check("db"), kDown);
  EXPECT_EQ(served.check("cache"), kOk);

  db.level = Level::warn;  // WARN serves by default
  EXPECT_EQ(served.check(""), kOk);
  EXPECT_EQ(served.check("db"), kOk);
  db.level = Level::ok;
  cache.level = Level::crit;  // not critical: the aggregate reads WARN, the slug CRIT
  EXPECT_EQ(served.check(""), kOk);
  EXPECT_EQ(served.check("cache"), kDown);
}

TEST(GrpcHealthService, WarnReadsNotServingWhenConfigured) {
  Flip db;
  db.level = Level::warn;
  Registry registry;
  registry.add(endpoint("db", db.check()));
  GrpcHealthOptions options;
  options.warn_is_serving = false;
  Served served(registry, options);
  EXPECT_EQ(served.check(""), kDown);
  EXPECT_EQ(served.check("db"), kDown);
}

TEST(GrpcHealthService, TypeNamesFilterAsAggregateDoes) {
  Flip db, api;
  db.level = Level::crit;
  Registry registry;
  registry.add(endpoint("db", db.check()));
  registry.add(endpoint("api", api.check(), StatusEndpoint::Type::external));
  Served served(registry);
  EXPECT_EQ(served.check("type:internal"), kDown);
  EXPECT_EQ(served.check("type:external"), kOk);
  EXPECT_EQ(served.check(""), kDown);
}

TEST(GrpcHealthService, UnknownNamesAreNotFound) {
  Flip db;
  Registry registry;
  registry.add(endpoint("db", db.check()));
  Served served(registry);
  for (const std::string& name : std::vector<std::string>{
           "nope", "type:bogus", "type:", "aggregate", "DB", std::string(100000, 'x')}) {
    EXPECT_EQ(served.check(name).first, grpc::StatusCode::NOT_FOUND) << name.substr(0, 20);
  }
}

TEST(GrpcHealthService, DrainingReadsNotServingForTheAggregateOnly) {
  Flip db;
  Registry registry;
  registry.add(endpoint("db", db.check()));
  Served served(registry);
  registry.set_ready(false);
  EXPECT_EQ(served.check(""), kDown);
  EXPECT_EQ(served.check("type:internal"), kDown);
  EXPECT_EQ(served.check("db"), kOk);
  registry.set_ready(true);
  EXPECT_EQ(served.check(""), kOk);
}

// A check that never answers by itself: the call's deadline bounds the Check, and the calls
// waiting on it hold no gRPC thread (a quick check answers at once meanwhile).
TEST(GrpcHealthService, CheckIsBoundedByTheCallsDeadline) {
  std::mutex mutex;
  std::vector<Completion> pending;
  Registry registry;
  auto slow = endpoint("slow", Check::async([&](const CheckContext&, Completion done) {
                         std::lock_guard<std::mutex> lock(mutex);
                         pending.push_back(std::move(done));
                       }));
  slow.timeout = seconds(60);
  registry.add(slow);
  Flip fast;
  registry.add(endpoint("fast", fast.check()));
  Served served(registry);

  std::vector<std::future<std::pair<grpc::StatusCode, HealthCheckResponse::ServingStatus>>> calls;
  const auto start = Clock::now();
  for (int i = 0; i < 16; ++i) {
    calls.push_back(
        std::async(std::launch::async, [&] { return served.check("slow", seconds(1)); }));
  }
  std::this_thread::sleep_for(milliseconds(200));
  const auto quick_start = Clock::now();
  EXPECT_EQ(served.check("fast"), kOk);
  EXPECT_LT(Clock::now() - quick_start, milliseconds(500));
  // The server answers a tenth of the time left early (at most 100 ms): NOT_SERVING, not the
  // client's DEADLINE_EXCEEDED.
  for (auto& call : calls) EXPECT_EQ(call.get(), kDown);
  EXPECT_GE(Clock::now() - start, milliseconds(850));
  std::lock_guard<std::mutex> lock(mutex);
  pending.clear();
}

TEST(GrpcHealthService, WatchSendsTheStatusAtOnceThenEachLevelChange) {
  Flip db, cache;
  Registry registry;
  auto background = endpoint("db", db.check());
  background.interval = milliseconds(50);  // runs by itself
  registry.add(background);
  registry.add(endpoint("cache", cache.check()));  // run by the watch's refresh
  GrpcHealthOptions options;
  options.watch_refresh = milliseconds(100);
  Served served(registry, options);

  Watcher all(*served.stub, "");
  Watcher one(*served.stub, "cache");
  auto start = Clock::now();
  EXPECT_EQ(all.next(), kServing);
  EXPECT_EQ(one.next(), kServing);
  EXPECT_LT(Clock::now() - start, milliseconds(500));

  start = Clock::now();
  db.level = Level::crit;
  EXPECT_EQ(all.next(), kNotServing);
  EXPECT_LT(Clock::now() - start, seconds(1));
  db.level = Level::warn;
  EXPECT_EQ(all.next(), kServing);  // WARN serves
  db.level = Level::ok;             // SERVING again: nothing to send

  cache.level = Level::crit;
  EXPECT_EQ(one.next(), kNotServing);
  EXPECT_EQ(all.next(), kNotServing);
  cache.level = Level::ok;
  EXPECT_EQ(one.next(), kServing);
  EXPECT_EQ(all.next(), kServing);
  all.context.TryCancel();
  one.context.TryCancel();
}

TEST(GrpcHealthService, WatchSeesDraining) {
  Flip db;
  Registry registry;
  registry.add(endpoint("db", db.check()));
  Served served(registry);  // refresh every 5 s: draining is seen without it
  Watcher all(*served.stub, "");
  EXPECT_EQ(all.next(), kServing);
  const auto start = Clock::now();
  registry.set_ready(false);
  EXPECT_EQ(all.next(), kNotServing);
  EXPECT_LT(Clock::now() - start, seconds(1));
  registry.set_ready(true);
  EXPECT_EQ(all.next(), kServing);
  all.context.TryCancel();
}

// Draining judges nothing; ready again, the aggregate is judged afresh, not from the levels
// known before (nor from none, for a watch opened while draining).
TEST(GrpcHealthService, WatchJudgesAgainWhenDrainingEnds) {
  Flip db;
  db.level = Level::crit;
  Registry registry;
  registry.add(endpoint("db", db.check()));  // runs only when asked (refresh: every 5 s)
  Served served(registry);
  registry.set_ready(false);
  {
    Watcher opened_draining(*served.stub, "", milliseconds(1500));
    EXPECT_EQ(opened_draining.next(), kNotServing);
    registry.set_ready(true);  // still CRIT: nothing to send until the call's deadline
    HealthCheckResponse more;
    EXPECT_FALSE(opened_draining.reader->Read(&more)) << "sent " << more.status();
    EXPECT_EQ(opened_draining.reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  Watcher all(*served.stub, "");
  EXPECT_EQ(all.next(), kNotServing);
  registry.set_ready(false);
  db.level = Level::ok;  // while draining
  std::this_thread::sleep_for(milliseconds(400));
  const auto start = Clock::now();
  registry.set_ready(true);
  EXPECT_EQ(all.next(), kServing);
  EXPECT_LT(Clock::now() - start, seconds(1));
  all.context.TryCancel();
}

TEST(GrpcHealthService, WatchOfAnUnknownNameStreamsServiceUnknownAndStaysOpen) {
  Flip db;
  Registry registry;
  registry.add(endpoint("db", db.check()));
  Served served(registry);
  for (const std::string name : {"nope", "type:bogus"}) {
    Watcher watcher(*served.stub, name);
    EXPECT_EQ(watcher.next(), kUnknown);
    std::this_thread::sleep_for(milliseconds(300));
    watcher.context.TryCancel();  // the stream is still open: only the client ends it
    HealthCheckResponse more;
    EXPECT_FALSE(watcher.reader->Read(&more));
    EXPECT_EQ(watcher.reader->Finish().error_code(), grpc::StatusCode::CANCELLED) << name;
  }
}

// Clients that go mid-watch (cancelled, or their channel dropped without a word) leave nothing
// behind: Shutdown without a deadline waits for every call, and returns at once.
TEST(GrpcHealthService, ClientsThatLeaveMidWatchLeaveNothingBehind) {
  Flip db;
  Registry registry;
  auto background = endpoint("db", db.check());
  background.interval = milliseconds(20);
  registry.add(background);
  GrpcHealthOptions options;
  options.watch_refresh = milliseconds(50);
  Served served(registry, options);
  std::vector<std::unique_ptr<Watcher>> cancelled;
  for (const char* name : {"", "db", "type:internal", "", "nope"}) {
    cancelled.push_back(std::make_unique<Watcher>(*served.stub, name));
    cancelled.back()->next();
  }
  {
    auto stub = served.connect();
    std::vector<std::unique_ptr<Watcher>> dropped;
    for (const char* name : {"", "db", "nope"}) {
      dropped.push_back(std::make_unique<Watcher>(*stub, name));
      dropped.back()->next();
    }
  }  // the calls, the stub and its channel go without Finish
  // Changes keep coming while the clients go.
  std::atomic<bool> stop{false};
  std::thread flipper([&] {
    while (!stop) {
      db.level = db.level == Level::ok ? Level::crit : Level::ok;
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  for (auto& watcher : cancelled) watcher->context.TryCancel();
  cancelled.clear();
  std::this_thread::sleep_for(milliseconds(100));
  stop = true;
  flipper.join();
  const auto start = Clock::now();
  auto shutdown = std::async(std::launch::async, [&] { served.server->Shutdown(); });
  ASSERT_EQ(shutdown.wait_for(seconds(5)), std::future_status::ready)
      << "Shutdown waits for a watch the client left";
  EXPECT_LT(Clock::now() - start, seconds(1));
}

// A watch still open when the server stops with a deadline ends at that deadline.
TEST(GrpcHealthService, ShutdownWithADeadlineEndsOpenWatches) {
  Flip db;
  Registry registry;
  registry.add(endpoint("db", db.check()));
  Served served(registry);
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int i = 0; i < 8; ++i) {
    watchers.push_back(std::make_unique<Watcher>(*served.stub, i % 2 == 0 ? "" : "db"));
    EXPECT_EQ(watchers.back()->next(), kServing);
  }
  const auto start = Clock::now();
  served.server->Shutdown(std::chrono::system_clock::now() + milliseconds(100));
  EXPECT_LT(Clock::now() - start, seconds(1));
  for (auto& watcher : watchers) {
    HealthCheckResponse more;
    EXPECT_FALSE(watcher->reader->Read(&more));
    EXPECT_NE(watcher->reader->Finish().error_code(), grpc::StatusCode::OK);
  }
}

// The sidecar's "grpc" key: its own port, chosen by the system with port 0 and printed on the
// line after the "serving" one.
TEST(SidecarGrpc, ServesTheHealthServiceOnItsOwnPort) {
  testing::TempDir dir;
  const auto config = dir.write("svc.json", R"({
    "listen": "127.0.0.1:0",
    "grpc": {"listen": "127.0.0.1:0", "warn": "NOT_SERVING"},
    "checks": [
      {"name": "DB", "slug": "db", "check": "static", "result": "OK"},
      {"name": "Cache", "slug": "cache", "check": "static", "result": "WARN"}
    ]})");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  ASSERT_GT(testing::wait_until_serving(sidecar), 0);
  const auto line = sidecar.read_line();
  ASSERT_TRUE(line);
  // "healthchecks-sidecar: serving grpc.health.v1.Health at 127.0.0.1:PORT"
  const auto colon = line->rfind(':');
  ASSERT_NE(line->find("grpc.health.v1.Health at 127.0.0.1:"), std::string::npos) << *line;
  const int port = std::stoi(line->substr(colon + 1));
  ASSERT_GT(port, 0);
  auto stub = Health::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  const auto check = [&](const std::string& name) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + seconds(10));
    HealthCheckRequest request;
    request.set_service(name);
    HealthCheckResponse response;
    const auto status = stub->Check(&context, request, &response);
    return std::make_pair(status.error_code(), response.status());
  };
  EXPECT_EQ(check("db"), kOk);
  EXPECT_EQ(check(""), kDown);  // WARN, read NOT_SERVING as configured
  EXPECT_EQ(check("cache"), kDown);
  EXPECT_EQ(check("nope").first, grpc::StatusCode::NOT_FOUND);

  Watcher watcher(*stub, "");  // open when the sidecar stops: SIGTERM still stops it
  EXPECT_EQ(watcher.next(), kNotServing);
  const auto start = Clock::now();
  sidecar.kill();
  EXPECT_EQ(sidecar.wait(), 0);
  EXPECT_LT(Clock::now() - start, seconds(3));
}

TEST(SidecarGrpc, ConfigErrorsNameTheKey) {
  using testing::error_of;
  const auto with = [](const std::string& grpc) { return R"({"grpc": )" + grpc + "}"; };
  EXPECT_EQ(error_of(with(R"({"listen": "127.0.0.1:9090"})")), "no error");
  EXPECT_EQ(error_of(with(R"({"listen": ":0", "warn": "SERVING"})")), "no error");
  EXPECT_EQ(error_of(with(R"({"listen": "127.0.0.1:9090", "warn": "WARN"})")),
            "config: svc.json: key 'grpc.warn': expected \"SERVING\" or \"NOT_SERVING\", "
            "found \"WARN\"");
  EXPECT_EQ(error_of(with(R"({"listen": "localhost:9090"})")),
            "config: svc.json: key 'grpc.listen': expected an IP address such as 127.0.0.1 or "
            "[::1] before the port (host names are not resolved), found \"localhost\"");
  EXPECT_EQ(error_of(with(R"({"listen": "127.0.0.1"})")),
            "config: svc.json: key 'grpc.listen': expected \"address:port\" such as "
            "\"127.0.0.1:9090\", found \"127.0.0.1\"");
  EXPECT_EQ(error_of(with(R"({})")),
            "config: svc.json: key 'grpc.listen': missing; expected a string");
  EXPECT_EQ(error_of(with(R"("127.0.0.1:9090")")),
            "config: svc.json: key 'grpc': expected an object {\"listen\": \"127.0.0.1:9090\", "
            "\"warn\": \"SERVING\"}, found string \"127.0.0.1:9090\"");
  EXPECT_EQ(error_of(with(R"({"listen": "127.0.0.1:9090", "port": 1})")),
            "config: svc.json: key 'grpc.port': unknown key (known here: listen, warn)");

  const auto config = sidecar::parse_config(
      with(R"({"listen": "[::1]:9090", "warn": "NOT_SERVING"})"), "svc.json", "");
  ASSERT_TRUE(config.grpc);
  EXPECT_EQ(config.grpc->address, "::1");
  EXPECT_EQ(config.grpc->port, 9090);
  EXPECT_FALSE(config.grpc->warn_is_serving);
  EXPECT_FALSE(sidecar::parse_config("{}", "svc.json", "").grpc);
}

}  // namespace
}  // namespace healthchecks
