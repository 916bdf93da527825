// The sidecar's "grpc" check kind: real gRPC dependencies on loopback (plain and mutual TLS)
// behind a real sidecar process, read through its aggregate; and the keys it refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "grpc/test_health_server.hpp"
#include "support/config_errors.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using testing::HealthServer;
using testing::http_get;
using ::testing::StartsWith;

std::string quoted(const std::string& text) {
  return '"' + text + '"';
}

TEST(SidecarGrpcOverTls, PlainAndMutualTlsDependenciesInTheAggregate) {
  HealthServer orders;
  orders.health().set("orders.v1.Orders", HealthCheckResponse::SERVING);
  HealthServer billing(HealthServer::tls(true));
  const auto& files = testing::tls_files();
  testing::TempDir dir;
  const auto config = dir.write("svc.json",
                                R"({"listen": "127.0.0.1:0", "checks": [
    {"name": "Orders", "slug": "orders", "check": "grpc", "target": )" +
                                    quoted(orders.target()) + R"(, "service": "orders.v1.Orders"},
    {"name": "Billing", "slug": "billing", "check": "grpc", "target": )" +
                                    quoted(billing.target()) + R"(,
     "tls": {"caFile": )" + quoted(files.ca_cert) +
                                    R"(, "certFile": )" + quoted(files.client_cert) +
                                    R"(, "keyFile": )" + quoted(files.client_key) + "}}]}");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  const auto port = testing::wait_until_serving(sidecar);

  EXPECT_THAT(http_get(port, "/status/v2/orders").body,
              HasSubstr(R"("result":"OK","details":"SERVING from 127.0.0.1:)"));
  EXPECT_THAT(http_get(port, "/status/v2/billing").body,
              HasSubstr(R"("result":"OK","details":"SERVING from 127.0.0.1:)"));
  EXPECT_EQ(http_get(port, "/status/aggregate").body, R"(["OK"])");
  // A dependency of another service: "external" unless the file says otherwise.
  EXPECT_THAT(http_get(port, "/status/about").body, HasSubstr(R"("type":"external")"));

  orders.health().set("orders.v1.Orders", HealthCheckResponse::NOT_SERVING);
  EXPECT_THAT(
      http_get(port, "/status/aggregate").body,
      StartsWith(
          R"(["CRIT",{"description":"Orders","result":"CRIT","details":"NOT_SERVING from 127.0.0.1:)"));
  billing.stop();
  EXPECT_THAT(http_get(port, "/status/v2/billing").body,
              HasSubstr(R"("result":"CRIT","details":"127.0.0.1:)"));
}

std::string error_of_check(const std::string& keys) {
  return testing::error_of(R"({"checks": [{"name": "Orders", "slug": "orders", "check": "grpc", )" +
                           keys + "}]}");
}

TEST(SidecarGrpcCheck, KeyErrorsNameTheKey) {
  const auto& files = testing::tls_files();
  EXPECT_THAT(error_of_check(R"("service": "x")"), HasSubstr("key 'checks[0].target'"));
  EXPECT_THAT(error_of_check(R"("target": "")"),
              HasSubstr("expected a target such as \"orders:50051\""));
  EXPECT_THAT(error_of_check(R"("target": "127.0.0.1:1", "tls": {"minVersion": "1.3"})"),
              HasSubstr("key 'checks[0].tls.minVersion': gRPC 1.51's stable API cannot set the "
                        "oldest TLS version"));
  EXPECT_THAT(
      error_of_check(R"("target": "127.0.0.1:1", "tls": {"insecureSkipVerify": true})"),
      HasSubstr("key 'checks[0].tls.insecureSkipVerify': gRPC 1.51's stable API cannot skip "
                "verification"));
  EXPECT_THAT(error_of_check(R"("target": "127.0.0.1:1", "tls": {"caFile": "/nonexistent.pem"})"),
              HasSubstr("key 'checks[0].tls.caFile': expected an existing file"));
  EXPECT_THAT(error_of_check(R"("target": "127.0.0.1:1", "tls": {"certFile": )" +
                             quoted(files.client_cert) + "}"),
              HasSubstr("key 'checks[0].tls.keyFile': missing"));
  EXPECT_THAT(error_of_check(R"("target": "127.0.0.1:1", "url": "http://x")"),
              HasSubstr("key 'checks[0].url': unknown key"));
  EXPECT_EQ(error_of_check(R"("target": "127.0.0.1:1", "tls": {"caFile": )" +
                           quoted(files.ca_cert) + "}"),
            "no error");
}

}  // namespace
}  // namespace healthchecks
