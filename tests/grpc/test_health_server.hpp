// A gRPC dependency for the tests of checks::grpc: grpc.health.v1.Health as a service would
// serve it (a status per service name, NOT_FOUND for the others, an optional delay), on
// 127.0.0.1, in plain text or TLS with the test PKI's certificates.
#pragma once

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "support/tls_certs.hpp"

namespace healthchecks::testing {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
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
    const auto until = std::chrono::steady_clock::now() + delay_;
    while (std::chrono::steady_clock::now() < until && !stopping_) {
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

inline std::string read_file(const std::string& path) {
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

  // TLS with the test CA's server certificate; with `require_client_certificate`, mutual TLS.
  static std::shared_ptr<::grpc::ServerCredentials> tls(bool require_client_certificate) {
    const auto& files = tls_files();
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

}  // namespace healthchecks::testing
