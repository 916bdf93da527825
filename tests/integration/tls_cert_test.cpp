// The tlsCert check against nginx serving certificates made at run time: how long until the end
// sets the level, a certificate that does not verify is CRIT, details name subject, issuer and
// notAfter. And the sidecar's https checks and tlsCert, end to end.
#include "healthchecks/checks/tls_cert.hpp"

#include <chrono>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "support/check_runner.hpp"
#include "support/http_client.hpp"
#include "support/matchers.hpp"
#include "support/nginx.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks {
namespace {

using ::testing::HasSubstr;
using testing::IsStatus;
using testing::NginxServer;
using testing::run_check;
using testing::tls_files;
using namespace std::chrono_literals;

std::unique_ptr<NginxServer> serving(const std::string& cert, const std::string& key) {
  auto server = std::make_unique<NginxServer>(NginxServer::Options{cert, key, {}});
  server->serve("/status/aggregate", R"(["OK"])");
  return server;
}

checks::TlsCertOptions against(const NginxServer& server, const std::string& ca_file) {
  checks::TlsCertOptions options;
  options.port = server.port();
  options.ca_file = ca_file;
  return options;
}

TEST(TlsCertCheck, AFarEndReadsOkNamingSubjectIssuerAndNotAfter) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  const auto status = run_check(checks::tls_cert(against(*server, files.ca_cert)));
  EXPECT_THAT(status, IsStatus(Level::ok, "127.0.0.1:" + std::to_string(server->port()) +
                                              ": subject CN=localhost, issuer CN=healthchecks "
                                              "test CA, notAfter "));
  EXPECT_THAT(status.details, HasSubstr(" UTC (in 36"));
}

TEST(TlsCertCheck, WithinWarnDaysReadsWarn) {
  const auto& files = tls_files();
  const auto server = serving(files.later_cert, files.later_key);
  EXPECT_THAT(run_check(checks::tls_cert(against(*server, files.ca_cert))),
              IsStatus(Level::warn,
                       "the certificate expires within 14 days: subject "
                       "CN=localhost"));
  auto options = against(*server, files.ca_cert);
  options.warn_days = 7;
  EXPECT_THAT(run_check(checks::tls_cert(options)), testing::HasLevel(Level::ok));
}

TEST(TlsCertCheck, WithinCritDaysReadsCrit) {
  const auto& files = tls_files();
  const auto server = serving(files.soon_cert, files.soon_key);
  EXPECT_THAT(run_check(checks::tls_cert(against(*server, files.ca_cert))),
              IsStatus(Level::crit,
                       "the certificate expires within 3 days: subject "
                       "CN=localhost, issuer CN=healthchecks test CA, notAfter "));
}

TEST(TlsCertCheck, ACertificateThatDoesNotVerifyReadsCrit) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  EXPECT_THAT(run_check(checks::tls_cert(against(*server, files.other_ca_cert))),
              IsStatus(Level::crit,
                       "the certificate does not verify: certificate verify "
                       "failed: unable to get local issuer certificate; subject "
                       "CN=localhost"));
  auto options = against(*server, files.ca_cert);
  options.server_name = "peer.example";
  EXPECT_THAT(run_check(checks::tls_cert(options)),
              IsStatus(Level::crit,
                       "(peer.example): the certificate does not verify: host name "
                       "mismatch: the certificate is for DNS:localhost, "
                       "IP:127.0.0.1, not peer.example"));
  const auto expired = serving(files.expired_cert, files.expired_key);
  EXPECT_THAT(run_check(checks::tls_cert(against(*expired, files.ca_cert))),
              IsStatus(Level::crit,
                       "does not verify: certificate has expired (notAfter "
                       "2026-01-01 00:00:00 UTC)"));
}

TEST(TlsCertCheck, NoHandshakeReadsCrit) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  auto options = against(*server, files.ca_cert);
  options.port = server->plain_port();
  EXPECT_THAT(run_check(checks::tls_cert(options)),
              IsStatus(Level::crit, "TLS handshake failed: "));
  options.port = testing::free_port();
  EXPECT_THAT(run_check(checks::tls_cert(options)),
              IsStatus(Level::crit, "connect: Connection refused"));
  testing::SilentServer silent;
  options.port = silent.port();
  EXPECT_THAT(run_check(checks::tls_cert(options), 500ms),
              IsStatus(Level::crit, "TLS handshake failed: timed out after 500 ms"));
  options.crit_days = 20;
  EXPECT_THROW(checks::tls_cert(options), Error);
}

TEST(SidecarTls, HttpsChecksAndTlsCertEndToEnd) {
  const auto& files = tls_files();
  const auto server = serving(files.server_cert, files.server_key);
  const auto soon = serving(files.soon_cert, files.soon_key);
  testing::TempDir dir;
  const auto port = std::to_string(server->port());
  const auto config = dir.write(
      "svc.json",
      R"({"listen": "127.0.0.1:0", "checks": [
        {"name": "Peer", "slug": "peer", "check": "http", "url": "https://127.0.0.1:)" +
          port + R"(", "traversable": true, "tls": {"caFile": ")" + files.ca_cert + R"("}},
        {"name": "Untrusted", "slug": "untrusted", "check": "http",
         "url": "https://127.0.0.1:)" +
          port + R"("},
        {"name": "Cert", "slug": "cert", "check": "tlsCert", "port": )" +
          port + R"(, "caFile": ")" + files.ca_cert + R"("},
        {"name": "Soon", "slug": "soon", "check": "tlsCert", "port": )" +
          std::to_string(soon->port()) + R"(, "serverName": "localhost", "caFile": ")" +
          files.ca_cert + R"(", "warnDays": 30, "critDays": 1}]})");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  const auto sidecar_port = testing::wait_until_serving(sidecar);
  const auto get = [sidecar_port](const std::string& slug) {
    return testing::http_get(sidecar_port, "/status/v2/" + slug).body;
  };
  EXPECT_THAT(get("peer"), HasSubstr(R"("result":"OK")"));
  EXPECT_THAT(get("untrusted"),
              HasSubstr("TLS handshake failed: certificate verify failed: unable to get local "
                        "issuer certificate"));
  EXPECT_THAT(get("cert"), HasSubstr(R"("result":"OK","details":"127.0.0.1:)" + port +
                                     ": subject CN=localhost"));
  EXPECT_THAT(get("soon"),
              HasSubstr(R"("result":"WARN","details":"127.0.0.1:)" + std::to_string(soon->port()) +
                        " (localhost): the certificate expires within 30 days"));
}

}  // namespace
}  // namespace healthchecks
