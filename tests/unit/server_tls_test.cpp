// The embedded Server over https (ServerOptions::tls), against real clients: curl and
// openssl s_client, on loopback, with the throw-away certificates of support/tls_certs.hpp.
#include "healthchecks/server.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/tls.hpp"
#include "support/command.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks {
namespace {

using testing::CommandResult;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::run_command;
using testing::tls_files;
using namespace std::chrono_literals;

TlsServerOptions server_files() {
  TlsServerOptions tls;
  tls.cert_file = tls_files().server_cert;
  tls.key_file = tls_files().server_key;
  return tls;
}

ServerOptions https(TlsServerOptions tls) {
  ServerOptions options;
  options.port = 0;
  options.tls = std::move(tls);
  return options;
}

// curl trusting the throw-away CA; its output ends with a line holding the status code.
CommandResult curl(unsigned short port, const std::string& target,
                   std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{
      "curl", "-sS", "--max-time", "10", "--cacert", tls_files().ca_cert, "-w", "\n%{http_code}"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("https://localhost:" + std::to_string(port) + target);
  return run_command(argv);
}

std::vector<std::string> client_certificate(const std::string& cert, const std::string& key) {
  return {"--cert", cert, "--key", key};
}

class ServerTls : public ::testing::Test {
 protected:
  ServerTls() : registry_(about()) {
    registry_.add(
        {"MySQL", "db", "internal", [] { return Status::crit("replica lag 42 s on db-7"); }});
  }

  static About about() {
    About about;
    about.id = "orders";
    about.name = "Orders";
    about.description = "Takes orders";
    return about;
  }

  void serve(ServerOptions options, RouterOptions router_options = {}) {
    router_ = std::make_unique<Router>(registry_, std::move(router_options));
    server_ = std::make_unique<Server>(*router_, std::move(options));
    server_->start();
  }

  unsigned short port() const { return server_->port(); }

  Registry registry_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTls, ServesTheApiOverHttps) {
  serve(https(server_files()));
  const auto up = curl(port(), "/status/am-i-up");
  EXPECT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(up.output, "OK\n200");
  const auto aggregate = curl(port(), "/status/aggregate");
  EXPECT_EQ(aggregate.exit_code, 0) << aggregate.output;
  EXPECT_THAT(aggregate.output, HasSubstr("replica lag 42 s on db-7"));
  EXPECT_THAT(aggregate.output, HasSubstr("\n200"));
}

TEST_F(ServerTls, KeepsConnectionsAliveOverHttps) {
  serve(https(server_files()));
  // Two URLs in one run: curl reuses the connection when the server keeps it.
  const auto both =
      run_command({"curl", "-sS", "-v", "--max-time", "10", "--cacert", tls_files().ca_cert,
                   "https://localhost:" + std::to_string(port()) + "/status/am-i-up",
                   "https://localhost:" + std::to_string(port()) + "/status/db"});
  EXPECT_EQ(both.exit_code, 0) << both.output;
  EXPECT_THAT(both.output, HasSubstr("Re-using existing connection"));
}

TEST_F(ServerTls, SpeaksNothingOlderThanTls12) {
  serve(https(server_files()));
  // Security level 0 so that it is the server, not the client's own policy, that says no.
  const auto old =
      run_command({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port()),
                   "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"},
                  20, "Q\n");
  EXPECT_NE(old.exit_code, 0) << old.output;
  EXPECT_THAT(old.output, Not(HasSubstr("BEGIN CERTIFICATE")));
  const auto tls12 = curl(port(), "/status/am-i-up", {"--tlsv1.2", "--tls-max", "1.2"});
  EXPECT_EQ(tls12.output, "OK\n200");
}

TEST_F(ServerTls, PlainHttpIsRefusedCleanlyAndServingGoesOn) {
  serve(https(server_files()));
  const auto plain = testing::http_get(port(), "/status/am-i-up");
  EXPECT_EQ(plain.status, 400);
  EXPECT_THAT(plain.body, HasSubstr("this port speaks https"));
  EXPECT_EQ(curl(port(), "/status/am-i-up").output, "OK\n200");
}

TEST_F(ServerTls, AStalledHandshakeIsDroppedAfterTheReadTimeout) {
  auto options = https(server_files());
  options.read_timeout = 300ms;
  serve(options);
  testing::HttpConnection silent(port());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(silent.raw("", 5000), "");  // connects, says nothing, and is closed
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 3s) << "dropped by the read timeout, not the idle one";
  EXPECT_EQ(curl(port(), "/status/am-i-up").output, "OK\n200");
}

TEST_F(ServerTls, StopsPromptlyWithHandshakesPending) {
  serve(https(server_files()));
  testing::HttpConnection silent(port());
  EXPECT_EQ(curl(port(), "/status/am-i-up").output, "OK\n200");
  const auto start = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(ServerTls, StopLetsAnAnswerInFlightFinish) {
  auto started = std::make_shared<std::atomic<bool>>(false);
  registry_.add({"Slow", "slow", "internal", [started] {
                   *started = true;
                   std::this_thread::sleep_for(300ms);
                   return true;
                 }});
  serve(https(server_files()));
  auto slow = std::async(std::launch::async, [this] { return curl(port(), "/status/slow"); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!*started && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(*started);
  server_->stop();
  EXPECT_EQ(slow.get().output, R"(["OK"])"
                               "\n200");
}

TEST_F(ServerTls, OverTheConnectionCapNewClientsAreClosed) {
  auto options = https(server_files());
  options.max_connections = 1;
  serve(options);
  {
    testing::HttpConnection held(port());  // accepted first, its handshake pending
    const auto refused = curl(port(), "/status/am-i-up");
    EXPECT_NE(refused.exit_code, 0) << refused.output;
    EXPECT_THAT(refused.output, Not(HasSubstr("OK")));
  }
  std::string output;
  for (int attempt = 0; attempt < 40 && output != "OK\n200"; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(50ms);
    output = curl(port(), "/status/am-i-up").output;
  }
  EXPECT_EQ(output, "OK\n200") << "served again once the held connection went";
}

TEST_F(ServerTls, RequiredClientCertificateRefusesAtTheHandshake) {
  auto tls = server_files();
  tls.client_ca_file = tls_files().ca_cert;
  tls.client_certificate = ClientCertificate::required;
  serve(https(tls));
  const auto none = curl(port(), "/status/am-i-up");
  EXPECT_NE(none.exit_code, 0) << none.output;
  EXPECT_THAT(none.output, Not(HasSubstr("OK")));
  const auto other_ca =
      curl(port(), "/status/am-i-up",
           client_certificate(tls_files().other_client_cert, tls_files().other_client_key));
  EXPECT_NE(other_ca.exit_code, 0) << other_ca.output;
  EXPECT_THAT(other_ca.output, Not(HasSubstr("OK")));
  const auto right = curl(port(), "/status/aggregate",
                          client_certificate(tls_files().client_cert, tls_files().client_key));
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_THAT(right.output, HasSubstr("\n200"));
}

TEST_F(ServerTls, OptionalClientCertificateGrantsDetails) {
  auto tls = server_files();
  tls.client_ca_file = tls_files().ca_cert;
  RouterOptions redact;
  redact.redact = true;
  serve(https(tls), redact);
  const auto anonymous = curl(port(), "/status/aggregate");
  EXPECT_EQ(anonymous.output, R"(["CRIT",{"description":"","result":"CRIT","details":""}])"
                              "\n200")
      << "levels only";
  const auto stranger =
      curl(port(), "/status/aggregate",
           client_certificate(tls_files().other_client_cert, tls_files().other_client_key));
  EXPECT_EQ(stranger.exit_code, 0) << "optional lets everybody in: " << stranger.output;
  EXPECT_THAT(stranger.output, Not(HasSubstr("replica lag")))
      << "but an unverified one sees levels";
  const auto known = curl(port(), "/status/aggregate",
                          client_certificate(tls_files().client_cert, tls_files().client_key));
  EXPECT_EQ(known.exit_code, 0) << known.output;
  EXPECT_THAT(known.output, HasSubstr("replica lag 42 s on db-7"));
  EXPECT_THAT(curl(port(), "/status/about",
                   client_certificate(tls_files().client_cert, tls_files().client_key))
                  .output,
              HasSubstr("Takes orders"));
}

TEST_F(ServerTls, ReloadPicksUpNewFilesAndKeepsTheOldOnesOnError) {
  testing::TempDir dir;
  const auto cert = dir.path() + "/server.pem";
  const auto key = dir.path() + "/server.key";
  namespace fs = std::filesystem;
  fs::copy_file(tls_files().server_cert, cert);
  fs::copy_file(tls_files().server_key, key);
  TlsServerOptions tls;
  tls.cert_file = cert;
  tls.key_file = key;
  serve(https(tls));
  const auto first = testing::certificate_fingerprint(tls_files().server_cert);
  const auto second = testing::certificate_fingerprint(tls_files().later_cert);
  ASSERT_FALSE(first.empty());
  ASSERT_NE(first, second);
  EXPECT_EQ(testing::served_fingerprint(port()), first);

  fs::copy_file(tls_files().later_cert, cert, fs::copy_options::overwrite_existing);
  fs::copy_file(tls_files().later_key, key, fs::copy_options::overwrite_existing);
  EXPECT_EQ(testing::served_fingerprint(port()), first) << "nothing changes before a reload";
  server_->reload_tls();
  EXPECT_EQ(testing::served_fingerprint(port()), second);
  EXPECT_EQ(curl(port(), "/status/am-i-up").output, "OK\n200");

  dir.write("server.pem", "not a certificate\n");
  try {
    server_->reload_tls();
    ADD_FAILURE() << "a bad certificate file was taken";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cert_file '" + cert + "'"));
    EXPECT_THAT(e.what(), HasSubstr("expected a PEM certificate chain"));
  }
  EXPECT_EQ(testing::served_fingerprint(port()), second) << "the old files stay";
  EXPECT_EQ(curl(port(), "/status/am-i-up").output, "OK\n200");
}

TEST_F(ServerTls, BadFilesAreErrorsNamingTheOptionAndTheFile) {
  const auto refused = [](TlsServerOptions tls) {
    try {
      check_tls_files(tls);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  auto missing = server_files();
  missing.cert_file = "/nonexistent/server.pem";
  EXPECT_EQ(refused(missing),
            "server: tls: cert_file '/nonexistent/server.pem': cannot read it (does it exist?)");
  auto mismatched = server_files();
  mismatched.key_file = tls_files().client_key;
  EXPECT_THAT(refused(mismatched),
              HasSubstr("key_file '" + tls_files().client_key +
                        "': expected the private key of the certificate in cert_file"));
  auto not_a_ca = server_files();
  not_a_ca.client_ca_file = tls_files().server_key;
  EXPECT_THAT(refused(not_a_ca), HasSubstr("client_ca_file '" + tls_files().server_key + "'"));
  auto device = server_files();
  device.cert_file = "/dev/zero";
  EXPECT_EQ(refused(device),
            "server: tls: cert_file '/dev/zero': expected a regular file (PEM), found something "
            "else");
  EXPECT_EQ(refused(server_files()), "accepted");

  router_ = std::make_unique<Router>(registry_);
  const ServerOptions options = https(missing);
  EXPECT_THROW(Server(*router_, options), Error);

  ServerOptions plain;
  plain.port = 0;
  Server http(*router_, plain);
  EXPECT_THROW(http.reload_tls(), Error);
}

}  // namespace
}  // namespace healthchecks
