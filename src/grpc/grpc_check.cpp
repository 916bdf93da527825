// The grpc check, on the public API only (Check::async, CheckContext, Completion) and gRPC's
// callback API: the answer arrives on a gRPC thread and completes the check there.
#include "healthchecks/checks/grpc.hpp"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>

#include "grpc/health/v1/health.grpc.pb.h"
#include "healthchecks/error.hpp"

namespace healthchecks::checks {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using Clock = std::chrono::steady_clock;

// A peer's status message is untrusted: shown cut to this length, on one line.
constexpr std::size_t kMaxMessage = 512;
// The answer is one enum; anything much larger is not a health service.
constexpr int kMaxAnswer = 4096;
// TLS files larger than this are not PEM certificates or keys.
constexpr std::streamsize kMaxPemFile = 1024 * 1024;

const char* code_name(::grpc::StatusCode code) {
  static const char* const names[] = {"OK",
                                      "CANCELLED",
                                      "UNKNOWN",
                                      "INVALID_ARGUMENT",
                                      "DEADLINE_EXCEEDED",
                                      "NOT_FOUND",
                                      "ALREADY_EXISTS",
                                      "PERMISSION_DENIED",
                                      "RESOURCE_EXHAUSTED",
                                      "FAILED_PRECONDITION",
                                      "ABORTED",
                                      "OUT_OF_RANGE",
                                      "UNIMPLEMENTED",
                                      "INTERNAL",
                                      "UNAVAILABLE",
                                      "DATA_LOSS",
                                      "UNAUTHENTICATED"};
  const auto i = static_cast<std::size_t>(code);
  return i < sizeof names / sizeof names[0] ? names[i] : "UNKNOWN_CODE";
}

std::string one_line(const std::string& text) {
  std::string out = text.substr(0, kMaxMessage);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (text.size() > kMaxMessage) out += "...";
  return out;
}

std::string format_elapsed(Clock::duration d) {
  const double ms = std::chrono::duration<double, std::milli>(d).count();
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
  return buffer;
}

// Reads `path` into `out`; false with `error` saying why when it cannot.
bool read_pem(const std::string& option, const std::string& path, std::string& out,
              std::string& error) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    error = "cannot read tls." + option + " '" + path + "'";
    return false;
  }
  if (in.tellg() > kMaxPemFile) {  // looked at before it is read
    error = "tls." + option + " '" + path + "' is larger than 1 MiB: not a PEM file";
    return false;
  }
  in.seekg(0);
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

// The stub of a channel to `target` with these credentials, opened at the first call and kept
// for the life of the process, shared by every check that asks for the same. Kept because
// gRPC 1.51 aborts ("assertion failed: prior > 0") when a channel goes while a callback call on
// it is under way, which a check's copies cannot rule out (a Registry may go mid-run); a
// service has a handful of dependencies, so the table stays small.
std::shared_ptr<Health::Stub> open_channel(const std::string& target,
                                           const GrpcCheckOptions& options, std::string& error) {
  static auto* const mutex = new std::mutex;
  static auto* const stubs = new std::map<std::string, std::shared_ptr<Health::Stub>>;
  const TlsClientOptions& tls = options.tls;
  const std::string key = target + '\n' + (options.use_tls ? "tls" : "plain") + '\n' + tls.ca_file +
                          '\n' + tls.cert_file + '\n' + tls.key_file;
  std::lock_guard<std::mutex> lock(*mutex);
  if (const auto it = stubs->find(key); it != stubs->end()) return it->second;
  std::shared_ptr<::grpc::ChannelCredentials> credentials;
  if (options.use_tls) {
    ::grpc::SslCredentialsOptions ssl;
    if (!tls.ca_file.empty() && !read_pem("ca_file", tls.ca_file, ssl.pem_root_certs, error)) {
      return nullptr;
    }
    if (!tls.cert_file.empty() &&
        (!read_pem("cert_file", tls.cert_file, ssl.pem_cert_chain, error) ||
         !read_pem("key_file", tls.key_file, ssl.pem_private_key, error))) {
      return nullptr;
    }
    credentials = ::grpc::SslCredentials(ssl);
  } else {
    credentials = ::grpc::InsecureChannelCredentials();
  }
  ::grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kMaxAnswer);
  // gRPC backs off up to two minutes between connection attempts; a dependency that comes back
  // should read OK at the next run or so, not minutes later.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  auto stub = std::shared_ptr<Health::Stub>(
      Health::NewStub(::grpc::CreateCustomChannel(target, credentials, arguments)));
  stubs->emplace(key, stub);
  return stub;
}

// One Check (and its copies): what it asks, and the stub it asks through once opened.
class Target {
 public:
  Target(std::string target, GrpcCheckOptions options)
      : target_(std::move(target)), options_(std::move(options)) {
    where_ = target_;
    if (!options_.service.empty()) where_ += " (service '" + options_.service + "')";
  }

  void start(const CheckContext& context, Completion done) {
    std::string error;
    const auto stub = this->stub(error);
    if (!stub) return done(Status::crit(target_ + ": " + error));

    // What the call needs until its callback has run; the callback owns it.
    struct Call {
      ::grpc::ClientContext context;
      HealthCheckRequest request;
      HealthCheckResponse response;
      Clock::time_point started = Clock::now();
    };
    auto call = std::make_shared<Call>();
    call->request.set_service(options_.service);
    // Fail fast when the channel cannot connect rather than wait for it until the deadline.
    call->context.set_wait_for_ready(false);
    if (context.deadline != Clock::time_point::max()) {
      // A deadline already past still goes to gRPC, which answers DEADLINE_EXCEEDED at once.
      call->context.set_deadline(std::chrono::system_clock::now() +
                                 std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                     context.deadline - Clock::now()));
    }
    stub->async()->Check(&call->context, &call->request, &call->response,
                         [call, where = where_, done](const ::grpc::Status& status) {
                           done(read(status, call->response, where, call->started));
                         });
  }

 private:
  static Status read(const ::grpc::Status& status, const HealthCheckResponse& response,
                     const std::string& where, Clock::time_point started) {
    if (!status.ok()) {
      std::string details = where + ": " + code_name(status.error_code());
      if (!status.error_message().empty()) details += ": " + one_line(status.error_message());
      if (status.error_code() == ::grpc::StatusCode::UNIMPLEMENTED) {
        details += " (the server does not serve grpc.health.v1.Health)";
      }
      return Status::crit(std::move(details));
    }
    switch (response.status()) {
      case HealthCheckResponse::SERVING:
        return Status::ok(
            {}, "SERVING from " + where + " in " + format_elapsed(Clock::now() - started));
      case HealthCheckResponse::NOT_SERVING:
        return Status::crit("NOT_SERVING from " + where);
      case HealthCheckResponse::UNKNOWN:
        return Status::crit("UNKNOWN from " + where + " (the server does not know its status)");
      case HealthCheckResponse::SERVICE_UNKNOWN:
        return Status::crit("SERVICE_UNKNOWN from " + where +
                            " (the server does not know this service)");
      default:
        return Status::crit(where + " answered an unknown status " +
                            std::to_string(static_cast<int>(response.status())));
    }
  }

  std::shared_ptr<Health::Stub> stub(std::string& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stub_) stub_ = open_channel(target_, options_, error);
    return stub_;
  }

  const std::string target_;
  const GrpcCheckOptions options_;
  std::string where_;
  std::mutex mutex_;
  std::shared_ptr<Health::Stub> stub_;
};

[[noreturn]] void refuse(const std::string& message) {
  throw Error("check", "grpc: " + message);
}

}  // namespace

Check grpc(std::string target, GrpcCheckOptions options) {
  if (target.empty()) refuse("expected a target such as \"orders:50051\", found \"\"");
  const TlsClientOptions& tls = options.tls;
  if (tls.min_version != TlsVersion::tls1_2) {
    refuse(
        "tls.min_version: gRPC 1.51's stable API cannot set the oldest TLS version; leave it "
        "at TLS 1.2");
  }
  if (tls.insecure_skip_verify) {
    refuse(
        "tls.insecure_skip_verify: gRPC 1.51's stable API cannot skip verification; give "
        "the server's CA in tls.ca_file instead");
  }
  if (!tls.ca_dir.empty()) {
    refuse("tls.ca_dir: gRPC reads its CAs from one PEM file; give it in tls.ca_file instead");
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    refuse(std::string("tls.") + (tls.cert_file.empty() ? "cert_file" : "key_file") +
           ": missing; cert_file and key_file go together");
  }
  if (!options.use_tls && (!tls.ca_file.empty() || !tls.cert_file.empty())) {
    refuse("tls: files are given but use_tls is false; set use_tls = true to speak TLS");
  }
  auto state = std::make_shared<Target>(std::move(target), std::move(options));
  return Check::async([state](const CheckContext& context, Completion done) {
    state->start(context, std::move(done));
  });
}

}  // namespace healthchecks::checks
