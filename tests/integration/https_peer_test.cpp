// https peers against an independent TLS server, nginx, with certificates made at run time:
// the http check and peer checks verify by default, name what failed within the deadline, present
// a client certificate when asked, keep one connection (one handshake) for many requests, and
// traverse through an https peer.
#include <chrono>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/checks/http.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "support/check_runner.hpp"
#include "support/matchers.hpp"
#include "support/nginx.hpp"
#include "support/servers.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks {
namespace {

using testing::HasLevel;
using ::testing::HasSubstr;
using testing::IsStatus;
using testing::NginxServer;
using testing::run_check;
using testing::tls_files;
using namespace std::chrono_literals;

// nginx serving an OK aggregate with the given certificate.
std::unique_ptr<NginxServer> serving(const std::string& cert, const std::string& key,
                                     const std::string& client_ca = {}) {
  auto server = std::make_unique<NginxServer>(NginxServer::Options{cert, key, client_ca});
  server->serve("/status/aggregate", R"(["OK"])");
  return server;
}

checks::HttpOptions trusting(const std::string& ca_file) {
  checks::HttpOptions options;
  options.tls.ca_file = ca_file;
  return options;
}

// Runs `check` with a 2 s deadline and expects it to read CRIT well within it.
Status run_within_deadline(Check check) {
  const auto start = std::chrono::steady_clock::now();
  auto status = run_check(std::move(check), 2000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
  return status;
}

TEST(HttpsPeer, AValidCertificateFromTheTrustedCaReadsOk) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  EXPECT_EQ(run_check(checks::http(server->url(), trusting(files.ca_cert))),
            Status::ok("Checked check OK", ""));
  EXPECT_THAT(run_check(checks::peer_check(server->url(), trusting(files.ca_cert))),
              HasLevel(Level::ok));
  const auto plain = server->url() + "/status/aggregate";
  EXPECT_THAT(run_check(checks::http(plain, trusting(files.ca_cert))), HasLevel(Level::ok));
}

TEST(HttpsPeer, AnExpiredCertificateReadsCritNamingItsEnd) {
  const auto& files = tls_files();
  const auto server = serving(files.expired_cert, files.expired_key);
  EXPECT_THAT(run_within_deadline(checks::http(server->url(), trusting(files.ca_cert))),
              IsStatus(Level::crit, "GET " + server->url() +
                                        "/status/aggregate: TLS handshake failed: certificate "
                                        "has expired (notAfter 2026-01-01 00:00:00 UTC)"));
}

TEST(HttpsPeer, ACertificateForAnotherHostReadsCritNamingBoth) {
  const auto& files = tls_files();
  const auto server = serving(files.other_host_cert, files.other_host_key);
  EXPECT_THAT(run_within_deadline(checks::http(server->url(), trusting(files.ca_cert))),
              IsStatus(Level::crit,
                       "TLS handshake failed: host name mismatch: the certificate is for "
                       "DNS:peer.example, not 127.0.0.1"));
  // By name, the name is checked (and sent as SNI).
  const auto by_name = "https://localhost:" + std::to_string(server->port());
  EXPECT_THAT(run_within_deadline(checks::http(by_name, trusting(files.ca_cert))),
              IsStatus(Level::crit,
                       "host name mismatch: the certificate is for "
                       "DNS:peer.example, not localhost"));
}

TEST(HttpsPeer, AnUnknownCaReadsCrit) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  // The system trust store does not know the test CA; nor does a file with another CA.
  EXPECT_THAT(run_within_deadline(checks::http(server->url())),
              IsStatus(Level::crit,
                       "TLS handshake failed: certificate verify failed: unable "
                       "to get local issuer certificate"));
  EXPECT_THAT(run_within_deadline(checks::http(server->url(), trusting(files.other_ca_cert))),
              IsStatus(Level::crit,
                       "certificate verify failed: unable to get local issuer "
                       "certificate"));
}

TEST(HttpsPeer, PlainHttpBehindAnHttpsUrlReadsCrit) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  const auto url = "https://127.0.0.1:" + std::to_string(server->plain_port());
  EXPECT_THAT(run_within_deadline(checks::http(url, trusting(files.ca_cert))),
              IsStatus(Level::crit, "TLS handshake failed: "));
  EXPECT_THAT(run_within_deadline(checks::http(url, trusting(files.ca_cert))),
              IsStatus(Level::crit, "(is it plain HTTP?)"));
}

TEST(HttpsPeer, AServerThatNeverShakesHandsTimesOutAtTheDeadline) {
  testing::SilentServer silent;
  const auto url = "https://127.0.0.1:" + std::to_string(silent.port());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(run_check(checks::http(url), 500ms),
              IsStatus(Level::crit, "TLS handshake failed: timed out after 500 ms"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
}

TEST(HttpsPeer, SkippingVerificationAcceptsAnyCertificate) {
  const auto& files = tls_files();
  const auto server = serving(files.expired_cert, files.expired_key);
  checks::HttpOptions options;
  options.tls.insecure_skip_verify = true;
  EXPECT_THAT(run_check(checks::http(server->url(), options)), HasLevel(Level::ok));
}

TEST(HttpsPeer, MutualTlsPresentsTheClientCertificate) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key, files.ca_cert);
  auto options = trusting(files.ca_cert);
  options.tls.cert_file = files.client_cert;
  options.tls.key_file = files.client_key;
  EXPECT_THAT(run_check(checks::http(server->url(), options)), HasLevel(Level::ok));
  // Without one, or with one from a CA nginx does not trust, nginx refuses (400).
  EXPECT_THAT(run_check(checks::http(server->url(), trusting(files.ca_cert))),
              IsStatus(Level::crit, "400"));
  options.tls.cert_file = files.other_client_cert;
  options.tls.key_file = files.other_client_key;
  EXPECT_THAT(run_check(checks::http(server->url(), options)), IsStatus(Level::crit, "400"));
}

TEST(HttpsPeer, AMissingClientKeyReadsCritNamingTheFile) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  auto options = trusting(files.ca_cert);
  options.tls.cert_file = files.client_cert;
  options.tls.key_file = files.dir + "/no-such.key";
  EXPECT_THAT(run_check(checks::http(server->url(), options)),
              IsStatus(Level::crit,
                       "TLS setup: cannot read the client key '" + files.dir + "/no-such.key'"));
}

// A registry with one https peer, answered through the router.
struct HttpsPeerService {
  HttpsPeerService(const std::string& url, checks::HttpOptions options) {
    registry.add(checks::peer("Service 1", "service-1", url, std::move(options)));
    router = std::make_unique<Router>(registry);
  }
  std::string get(const std::string& target) { return router->handle("GET", target).body; }
  Registry registry;
  std::unique_ptr<Router> router;
};

TEST(HttpsPeer, PollingKeepsOneConnectionAndOneHandshake) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  HttpsPeerService service(server->url(), trusting(files.ca_cert));
  for (int i = 0; i < 20; ++i) ASSERT_EQ(service.get("/status/service-1"), R"(["OK"])") << i;
  server->wait_for_requests(20);
  EXPECT_EQ(server->requests(), 20);
  EXPECT_EQ(server->connections(), 1) << "a TLS handshake per connection, not per request";
}

TEST(HttpsPeer, TraversesThroughAnHttpsPeer) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  server->serve("/status/traverse", R"({"id":"deep"})");
  HttpsPeerService service(server->url(), trusting(files.ca_cert));
  EXPECT_EQ(service.get("/status/traverse?dependencies=service-1,db"), R"({"id":"deep"})");
  EXPECT_EQ(service.get("/status/traverse?dependencies=service-1&action=aggregate"),
            R"({"id":"deep"})");
  server->wait_for_requests(2);
  EXPECT_EQ(server->connections(), 1);
  // An untrusted peer reads CRIT on the traverse too, naming the cause.
  HttpsPeerService untrusted(server->url(), {});
  EXPECT_THAT(untrusted.get("/status/traverse?dependencies=service-1"),
              HasSubstr("certificate verify failed: unable to get local issuer certificate"));
}

}  // namespace
}  // namespace healthchecks
