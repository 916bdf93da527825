// checks::grpc against real gRPC servers on loopback: a plain grpc.health.v1.Health
// implementation whose answer each test sets, over plain text and TLS (with and without client
// certificates), run through a Registry; and the sidecar's "grpc" check kind.
#include "healthchecks/checks/grpc.hpp"

#include <gmock/gmock.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "healthchecks/error.hpp"
#include "healthchecks/testing.hpp"
#include "support/check_runner.hpp"
#include "support/config_errors.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// grpc.health.v1.Health as a dependency would serve it: a status per service name, NOT_FOUND
// for the others, and an optional delay before answering.
class TestHealth final : public ::grpc::health::v1::Health::Service {
 public:
  void set(const std::string& service, HealthCheckResponse::ServingStatus status) {
    std::lock_guard<std::mutex> lock(mutex_);
    statuses_[service] = status;
  }
  // Ends the delays under way, so that the server can stop.
  void stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  void delay(milliseconds d) {
    std::lock_guard<std::mutex> lock(mutex_);
    delay_ = d;
  }

  ::grpc::Status Check(::grpc::ServerContext*, const HealthCheckRequest* request,
                       HealthCheckResponse* response) override {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto until = Clock::now() + delay_;
    while (Clock::now() < until && !stopping_) {
      lock.unlock();
      std::this_thread::sleep_for(milliseconds(5));
      lock.lock();
    }
    const auto it = statuses_.find(request->service());
    if (it == statuses_.end()) return {::grpc::StatusCode::NOT_FOUND, "unknown service"};
    response->set_status(it->second);
    return ::grpc::Status::OK;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, HealthCheckResponse::ServingStatus> statuses_{
      {"", HealthCheckResponse::SERVING}};
  milliseconds delay_{0};
  bool stopping_ = false;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A gRPC server on 127.0.0.1 (an ephemeral port unless given) serving a TestHealth.
class HealthServer {
 public:
  explicit HealthServer(
      std::shared_ptr<::grpc::ServerCredentials> credentials = ::grpc::InsecureServerCredentials(),
      int port = 0) {
    ::grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), std::move(credentials), &port_);
    builder.RegisterService(&health_);
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) throw std::runtime_error("the test gRPC server did not start");
  }
  ~HealthServer() { stop(); }

  void stop() {
    health_.stop();
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + milliseconds(100));
    server_.reset();
  }
  TestHealth& health() { return health_; }
  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

  // TLS with the test CA's server certificate; `client_ca` to require client certificates.
  static std::shared_ptr<::grpc::ServerCredentials> tls(bool require_client_certificate) {
    const auto& files = testing::tls_files();
    ::grpc::SslServerCredentialsOptions options(
        require_client_certificate ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                   : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    options.pem_key_cert_pairs.push_back(
        {read_file(files.server_key), read_file(files.server_cert)});
    if (require_client_certificate) options.pem_root_certs = read_file(files.ca_cert);
    return ::grpc::SslServerCredentials(options);
  }

 private:
  TestHealth health_;
  int port_ = 0;
  std::unique_ptr<::grpc::Server> server_;
};

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

TEST(GrpcCheck, TlsWithTheCaReadsOk) {
  HealthServer server(HealthServer::tls(false));
  const auto status = run(checks::grpc(server.target(), with_tls(true, false)));
  EXPECT_EQ(status.level, Level::ok) << status.details;
}

TEST(GrpcCheck, TlsWithoutTheCaReadsCrit) {
  HealthServer server(HealthServer::tls(false));
  const auto status = run(checks::grpc(server.target(), with_tls(false, false)));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, StartsWith(server.target() + ": UNAVAILABLE"));
}

TEST(GrpcCheck, PlainTextToATlsServerReadsCrit) {
  HealthServer server(HealthServer::tls(false));
  const auto status = run(checks::grpc(server.target()));
  EXPECT_EQ(status.level, Level::crit);
  EXPECT_THAT(status.details, StartsWith(server.target() + ": UNAVAILABLE"));
}

TEST(GrpcCheck, MutualTlsNeedsTheClientCertificate) {
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
