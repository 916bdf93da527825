// The sidecar serving https (top-level "tls"), against curl and openssl s_client: client
// certificates as permission to see details, and SIGHUP reading rotated files.
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/command.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks {
namespace {

using testing::CommandResult;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Process;
using testing::run_command;
using testing::TempDir;
using testing::tls_files;

std::string config(const std::string& tls) {
  return R"({
  "listen": "127.0.0.1:0",
  "about": {"id": "orders", "name": "Orders"},
  "access": {"redact": true},
  "tls": )" +
         tls + R"(,
  "checks": [
    {"name": "DB", "slug": "db", "check": "static", "result": "WARN", "details": "replica lag 42 s"}
  ]})";
}

CommandResult curl(unsigned short port, const std::string& target, bool with_certificate) {
  std::vector<std::string> argv{
      "curl", "-sS", "--max-time", "10", "--cacert", tls_files().ca_cert, "-w", "\n%{http_code}"};
  if (with_certificate) {
    argv.insert(argv.end(), {"--cert", tls_files().client_cert, "--key", tls_files().client_key});
  }
  argv.push_back("https://localhost:" + std::to_string(port) + target);
  return run_command(argv);
}

// The next line that holds `text` (level changes are logged too).
std::string line_with(Process& sidecar, const std::string& text) {
  while (const auto line = sidecar.read_line()) {
    if (line->find(text) != std::string::npos) return *line;
  }
  return "no line with " + text;
}

TEST(SidecarTls, ServesHttpsAndAClientCertificateSeesDetails) {
  TempDir dir;
  Process sidecar(
      {HEALTHCHECKS_SIDECAR_PATH, "--config",
       dir.write("svc.json", config(R"({"certFile": ")" + tls_files().server_cert +
                                    R"(", "keyFile": ")" + tls_files().server_key +
                                    R"(", "clientCaFile": ")" + tls_files().ca_cert + R"("})"))});
  const auto line = sidecar.read_line();
  ASSERT_TRUE(line) << sidecar.read_stderr(std::chrono::seconds(1));
  EXPECT_THAT(*line, HasSubstr("serving 'orders' at https://127.0.0.1:"));
  const auto at = line->find("https://127.0.0.1:") + 18;
  const auto port = static_cast<unsigned short>(std::stoi(line->substr(at)));

  EXPECT_EQ(curl(port, "/status/am-i-up", false).output, "OK\n200");
  EXPECT_EQ(curl(port, "/status/aggregate", false).output,
            R"(["WARN",{"description":"","result":"WARN","details":""}])"
            "\n200")
      << "without a certificate: levels only";
  const auto known = curl(port, "/status/aggregate", true);
  EXPECT_THAT(known.output, HasSubstr("replica lag 42 s"));
  EXPECT_THAT(known.output, HasSubstr("\n200"));

  // Plain HTTP to the https port: told so, and the sidecar serves on.
  EXPECT_EQ(testing::http_get(port, "/status/am-i-up").status, 400);
  EXPECT_EQ(curl(port, "/status/am-i-up", false).output, "OK\n200");
}

TEST(SidecarTls, RequiredClientCertificateRefusesOthers) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config",
                   dir.write("svc.json", config(R"({"certFile": ")" + tls_files().server_cert +
                                                R"(", "keyFile": ")" + tls_files().server_key +
                                                R"(", "clientCaFile": ")" + tls_files().ca_cert +
                                                R"(", "clientCertificate": "required"})"))});
  const auto port = testing::wait_until_serving(sidecar);
  const auto refused = curl(port, "/status/am-i-up", false);
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_THAT(refused.output, Not(HasSubstr("OK")));
  EXPECT_THAT(curl(port, "/status/aggregate", true).output, HasSubstr("replica lag 42 s"));
}

TEST(SidecarTls, SighupReadsTheFilesAgainAndABadFileKeepsTheOldOnes) {
  namespace fs = std::filesystem;
  TempDir dir;
  fs::copy_file(tls_files().server_cert, dir.path() + "/server.pem");
  fs::copy_file(tls_files().server_key, dir.path() + "/server.key");
  // Relative names: from the configuration's folder.
  Process sidecar(
      {HEALTHCHECKS_SIDECAR_PATH, "--config",
       dir.write("svc.json", config(R"({"certFile": "server.pem", "keyFile": "server.key"})"))});
  const auto port = testing::wait_until_serving(sidecar);
  const auto first = testing::certificate_fingerprint(tls_files().server_cert);
  const auto second = testing::certificate_fingerprint(tls_files().later_cert);
  ASSERT_NE(first, second);
  EXPECT_EQ(testing::served_fingerprint(port), first);

  fs::copy_file(tls_files().later_cert, dir.path() + "/server.pem",
                fs::copy_options::overwrite_existing);
  fs::copy_file(tls_files().later_key, dir.path() + "/server.key",
                fs::copy_options::overwrite_existing);
  sidecar.kill(SIGHUP);
  EXPECT_THAT(line_with(sidecar, "SIGHUP"),
              HasSubstr("info healthchecks-sidecar: SIGHUP: TLS files reloaded"));
  EXPECT_EQ(testing::served_fingerprint(port), second);

  dir.write("server.pem", "not a certificate\n");
  sidecar.kill(SIGHUP);
  EXPECT_THAT(line_with(sidecar, "SIGHUP"),
              HasSubstr("warn healthchecks-sidecar: SIGHUP: TLS files not reloaded, the "
                        "old ones stay: tls: cert_file '" +
                        dir.path() + "/server.pem': expected a PEM certificate chain"));
  EXPECT_EQ(testing::served_fingerprint(port), second);
  EXPECT_EQ(curl(port, "/status/am-i-up", false).output, "OK\n200");

  sidecar.kill(SIGTERM);
  EXPECT_EQ(sidecar.wait(), 0);
}

TEST(SidecarTls, AMissingFileStopsItAtStartNamingTheKey) {
  TempDir dir;
  Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config",
                   dir.write("svc.json", config(R"({"certFile": "missing.pem", "keyFile": ")" +
                                                tls_files().server_key + R"("})"))});
  EXPECT_EQ(sidecar.wait(), 2);
  EXPECT_THAT(sidecar.read_stderr(), HasSubstr("key 'tls.certFile': '" + dir.path() +
                                               "/missing.pem': cannot read it (does it exist?)"));
}

TEST(SidecarTls, CheckReadsTheTlsFiles) {
  TempDir dir;
  const auto good =
      dir.write("good.json", config(R"({"certFile": ")" + tls_files().server_cert +
                                    R"(", "keyFile": ")" + tls_files().server_key + R"("})"));
  Process accepted({HEALTHCHECKS_SIDECAR_PATH, "--check", good});
  EXPECT_EQ(accepted.read_line(), good + ": OK, 1 check");
  EXPECT_EQ(accepted.wait(), 0);
  const auto mismatched =
      dir.write("bad.json", config(R"({"certFile": ")" + tls_files().server_cert +
                                   R"(", "keyFile": ")" + tls_files().client_key + R"("})"));
  Process refused({HEALTHCHECKS_SIDECAR_PATH, "--check", mismatched});
  EXPECT_EQ(refused.wait(), 2);
  EXPECT_THAT(refused.read_stderr(),
              HasSubstr("key 'tls.keyFile': '" + tls_files().client_key +
                        "': expected the private key of the certificate in certFile"));
}

}  // namespace
}  // namespace healthchecks
