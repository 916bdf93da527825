// checks::grpc against real gRPC servers on loopback (tests/grpc/test_health_server.hpp), run
// through a Registry: each serving status, failed calls, deadlines, and TLS with and without
// the CA and a client certificate.
#include "healthchecks/checks/grpc.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/test_health_server.hpp"
#include "healthchecks/error.hpp"
#include "healthchecks/testing.hpp"
#include "support/check_runner.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using testing::HealthServer;
using ::testing::MatchesRegex;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

Status run(const Check& check, milliseconds timeout = milliseconds(2000)) {
  return testing::run_check(check, timeout);
}

checks::GrpcCheckOptions with_tls(bool ca, bool client_certificate) {
  const auto& files = testing::tls_files();
  checks::GrpcCheckOptions options;
  options.use_tls = true;
  if (ca) options.tls.ca_file = files.ca_cert;
  if (client_certificate) {
    options.tls.cert_file = files.client_cert;
    options.tls.key_file = files.client_key;
  }
  return options;
}

TEST(GrpcCheck, ServingReadsOkWithTheTargetAndTime) {
  HealthServer server;
  const auto status = run(checks::grpc(server.target()));
  EXPECT_EQ(status.level, Level::ok) << status.details;
  EXPECT_THAT(status.details, MatchesRegex("SERVING from 127\\.0\\.0\\.1:[0-9]+ in [0-9.]+ ms"));
}

TEST(GrpcCheck, AsksAboutTheServiceNamed) {
  HealthServer server;
  server.health().set("orders.v1.Orders", HealthCheckResponse::SERVING);
  server.health().set("", HealthCheckResponse::NOT_SERVING);
  checks::GrpcCheckOptions options;
  options.service = "orders.v1.Orders";
  const auto status = run(checks::grpc(server.target(), options));
  EXPECT_EQ(status.level, Level::ok) << status.details;
  EXPECT_THAT(status.details, HasSubstr(" (service 'orders.v1.Orders') in "));
}

TEST(GrpcCheck, NotServingUnknownAndServiceUnknownReadCrit) {
  HealthServer server;
  const auto check = checks::grpc(server.target());
  server.health().set("", HealthCheckResponse::NOT_SERVING);
  auto status = run(check);
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_EQ(status.details, "NOT_SERVING from " + server.target());
  server.health().set("", HealthCheckResponse::UNKNOWN);
  status = run(check);
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, StartsWith("UNKNOWN from " + server.target()));
  server.health().set("", HealthCheckResponse::SERVICE_UNKNOWN);
  status = run(check);
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, StartsWith("SERVICE_UNKNOWN from " + server.target()));
  server.health().set("", HealthCheckResponse::SERVING);
  EXPECT_EQ(run(check).level, Level::ok);  // the same channel, answering again
}

TEST(GrpcCheck, AnUnknownServiceReadsCritNotFound) {
  HealthServer server;
  checks::GrpcCheckOptions options;
  options.service = "nobody";
  const auto status = run(checks::grpc(server.target(), options));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_EQ(status.details, server.target() + " (service 'nobody'): NOT_FOUND: unknown service");
}

TEST(GrpcCheck, AServerThatDoesNotImplementCheckReadsCritUnimplemented) {
  // The generated base class answers UNIMPLEMENTED, as a server without the service does (gRPC
  // will not start a server that serves nothing at all).
  ::grpc::health::v1::Health::Service unimplemented;
  ::grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", ::grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&unimplemented);
  const auto server = builder.BuildAndStart();
  ASSERT_TRUE(server && port != 0);
  const auto status = run(checks::grpc("127.0.0.1:" + std::to_string(port)));
  server->Shutdown();
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, HasSubstr(": UNIMPLEMENTED"));
  EXPECT_THAT(status.details, HasSubstr("(the server does not serve grpc.health.v1.Health)"));
}

TEST(GrpcCheck, NoServerReadsCritUnavailableAtOnce) {
  std::string target;
  {
    HealthServer gone;
    target = gone.target();
  }
  const auto started = Clock::now();
  const auto status = run(checks::grpc(target), milliseconds(5000));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, StartsWith(target + ": UNAVAILABLE"));
  EXPECT_LT(Clock::now() - started, milliseconds(2000)) << "should fail fast, not wait";
}

TEST(GrpcCheck, FollowsTheServerDownAndBackOnOneChannel) {
  auto server = std::make_unique<HealthServer>();
  const int port = server->port();
  const auto check = checks::grpc(server->target());
  ASSERT_EQ(run(check).level, Level::ok);
  server->stop();
  const auto down = run(check);
  EXPECT_EQ(down.level, Level::crit);
  EXPECT_THAT(down.details, HasSubstr("UNAVAILABLE"));
  server = std::make_unique<HealthServer>(::grpc::InsecureServerCredentials(), port);
  // gRPC reconnects by itself; the check's backoff is capped at a second.
  const auto back = Clock::now();
  Status status = run(check);
  while (status.level != Level::ok && Clock::now() - back < milliseconds(5000)) {
    std::this_thread::sleep_for(milliseconds(100));
    status = run(check);
  }
  EXPECT_EQ(status.level, Level::ok) << status.details;
  EXPECT_LT(Clock::now() - back, milliseconds(2500));
}

TEST(GrpcCheck, ASlowServerReadsCritAtTheDeadline) {
  HealthServer server;
  server.health().delay(milliseconds(3000));
  const auto started = Clock::now();
  const auto status = run(checks::grpc(server.target()), milliseconds(300));
  const auto took = Clock::now() - started;
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, MatchesRegex(".*(DEADLINE_EXCEEDED|timed out).*"));
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(1000));
}

TEST(GrpcCheck, ADeadlineAlreadyPastAnswersCritAtOnce) {
  HealthServer server;
  Status status = Status::ok();
  bool called = false;
  CheckContext context;
  context.deadline = Clock::now() - milliseconds(10);
  std::mutex mutex;
  std::condition_variable done;
  // Called by hand, outside a Registry: the check needs no runtime of ours.
  const auto check = checks::grpc(server.target());
  const auto started = Clock::now();
  check.async_function()(context, make_completion([&](Status s) {
                           std::lock_guard<std::mutex> lock(mutex);
                           status = std::move(s);
                           called = true;
                           done.notify_all();
                         }));
  std::unique_lock<std::mutex> lock(mutex);
  ASSERT_TRUE(done.wait_for(lock, std::chrono::seconds(2), [&] { return called; }));
  EXPECT_LT(Clock::now() - started, milliseconds(500));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, HasSubstr("DEADLINE_EXCEEDED"));
}

// GrpcOverTls: gRPC's own TLS, whose handshakes run in OpenSSL on gRPC's threads. Debian ships
// both uninstrumented, and ThreadSanitizer reads gRPC's hand-over of OpenSSL's objects between
// its threads as races with nothing of ours in either stack: the TSan leg leaves these out (by
// name, scripts/test.sh); the g++ and ASan legs run them.
TEST(GrpcOverTls, WithTheCaReadsOk) {
  HealthServer server(HealthServer::tls(false));
  const auto status = run(checks::grpc(server.target(), with_tls(true, false)));
  EXPECT_EQ(status.level, Level::ok) << status.details;
}

TEST(GrpcOverTls, WithoutTheCaReadsCrit) {
  HealthServer server(HealthServer::tls(false));
  const auto status = run(checks::grpc(server.target(), with_tls(false, false)));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, StartsWith(server.target() + ": UNAVAILABLE"));
}

TEST(GrpcOverTls, PlainTextToATlsServerReadsCrit) {
  HealthServer server(HealthServer::tls(false));
  const auto status = run(checks::grpc(server.target()));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, StartsWith(server.target() + ": UNAVAILABLE"));
}

TEST(GrpcOverTls, MutualTlsNeedsTheClientCertificate) {
  HealthServer server(HealthServer::tls(true));
  auto status = run(checks::grpc(server.target(), with_tls(true, true)));
  EXPECT_EQ(status.level, Level::ok) << status.details;
  status = run(checks::grpc(server.target(), with_tls(true, false)));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, StartsWith(server.target() + ": UNAVAILABLE"));
}

TEST(GrpcCheck, AnUnreadableTlsFileReadsCrit) {
  checks::GrpcCheckOptions options;
  options.use_tls = true;
  options.tls.ca_file = "/nonexistent/ca.pem";
  const auto status = run(checks::grpc("127.0.0.1:1", options));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_EQ(status.details, "127.0.0.1:1: cannot read tls.ca_file '/nonexistent/ca.pem'");
}

std::string error_of(const std::string& target, const checks::GrpcCheckOptions& options) {
  try {
    (void)checks::grpc(target, options);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), "check");
    return e.what();
  }
  return "no error";
}

TEST(GrpcCheck, RefusesWhatGrpcCannotDo) {
  checks::GrpcCheckOptions options = with_tls(true, false);
  options.tls.min_version = TlsVersion::tls1_3;
  EXPECT_THAT(error_of("127.0.0.1:1", options),
              StartsWith("check: grpc: tls.min_version: gRPC 1.51's stable API cannot set the "
                         "oldest TLS version"));
  options = with_tls(true, false);
  options.tls.insecure_skip_verify = true;
  EXPECT_THAT(error_of("127.0.0.1:1", options),
              StartsWith("check: grpc: tls.insecure_skip_verify: gRPC 1.51's stable API cannot "
                         "skip verification"));
  options = with_tls(false, false);
  options.tls.ca_dir = "/etc/ssl/certs";
  EXPECT_THAT(error_of("127.0.0.1:1", options), HasSubstr("tls.ca_dir: "));
  options = with_tls(true, true);
  options.tls.key_file.clear();
  EXPECT_THAT(error_of("127.0.0.1:1", options), HasSubstr("tls.key_file: missing"));
  options = with_tls(true, false);
  options.use_tls = false;
  EXPECT_THAT(error_of("127.0.0.1:1", options), HasSubstr("use_tls is false"));
  EXPECT_THAT(error_of("", {}), HasSubstr("expected a target"));
}

}  // namespace
}  // namespace healthchecks
