// The sidecar's top-level "tls": read, resolved against the file's folder, and its files
// checked when the configuration is read.
#include "sidecar/config.hpp"
#include "support/config_errors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/tls.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_certs.hpp"

namespace healthchecks::sidecar {
namespace {

using testing::error_of;
using ::testing::HasSubstr;
using testing::tls_files;

std::string with_tls(const std::string& tls) {
  return R"({"listen": "127.0.0.1:0", "tls": )" + tls + "}";
}

std::string quoted(const std::string& path) {
  return "\"" + path + "\"";
}

TEST(SidecarConfigTls, ReadsTheFilesAndTheClientCertificateMode) {
  EXPECT_FALSE(parse_config(R"({"listen": "127.0.0.1:0"})", "svc.json", "").server.tls);
  const auto config = parse_config(
      with_tls(R"({"certFile": "server.pem", "keyFile": "server.key", "clientCaFile": "ca.pem",
                   "clientCertificate": "required"})"),
      "svc.json", tls_files().dir);
  ASSERT_TRUE(config.server.tls);
  EXPECT_EQ(config.server.tls->cert_file, tls_files().dir + "/server.pem")
      << "relative to the configuration's folder";
  EXPECT_EQ(config.server.tls->key_file, tls_files().dir + "/server.key");
  EXPECT_EQ(config.server.tls->client_ca_file, tls_files().dir + "/ca.pem");
  EXPECT_EQ(config.server.tls->client_certificate, ClientCertificate::required);

  const auto optional =
      parse_config(with_tls("{\"certFile\": " + quoted(tls_files().server_cert) +
                            ", \"keyFile\": " + quoted(tls_files().server_key) + "}"),
                   "svc.json", "");
  ASSERT_TRUE(optional.server.tls);
  EXPECT_EQ(optional.server.tls->client_ca_file, "");
  EXPECT_EQ(optional.server.tls->client_certificate, ClientCertificate::optional);
}

TEST(SidecarConfigTls, MistakesNameTheKeyAndWhatWasExpected) {
  const std::string cert = quoted(tls_files().server_cert);
  const std::string key = quoted(tls_files().server_key);
  EXPECT_EQ(error_of(with_tls("true")),
            "config: svc.json: key 'tls': expected an object {\"certFile\": \"...\", "
            "\"keyFile\": \"...\"}, found boolean true");
  EXPECT_EQ(error_of(with_tls("{\"keyFile\": " + key + "}")),
            "config: svc.json: key 'tls.certFile': missing; expected a string");
  EXPECT_EQ(error_of(with_tls("{\"certFile\": " + cert + ", \"keyFile\": " + key +
                              ", \"clientCertificate\": \"sometimes\"}")),
            "config: svc.json: key 'tls.clientCertificate': expected \"required\" or "
            "\"optional\", found \"sometimes\"");
  EXPECT_THAT(error_of(with_tls("{\"certFile\": " + cert + ", \"keyFile\": " + key +
                                ", \"clientCertificate\": \"required\"}")),
              HasSubstr("key 'tls.clientCertificate': \"required\" needs \"clientCaFile\""));
  EXPECT_THAT(error_of(with_tls("{\"certFile\": " + cert + ", \"keyFile\": " + key +
                                ", \"caFile\": \"ca.pem\"}")),
              HasSubstr("key 'tls.caFile': unknown key"));
}

TEST(SidecarConfigTls, FilesAreCheckedWhenTheConfigurationIsRead) {
  const std::string cert = quoted(tls_files().server_cert);
  const std::string key = quoted(tls_files().server_key);
  EXPECT_EQ(
      error_of(with_tls("{\"certFile\": \"/nonexistent/server.pem\", \"keyFile\": " + key + "}")),
      "config: svc.json: key 'tls.certFile': '/nonexistent/server.pem': cannot read it "
      "(does it exist?)");
  EXPECT_EQ(error_of(with_tls("{\"certFile\": " + cert +
                              ", \"keyFile\": " + quoted(tls_files().client_key) + "}")),
            "config: svc.json: key 'tls.keyFile': '" + tls_files().client_key +
                "': expected the private key of the certificate in certFile '" +
                tls_files().server_cert + "'");
  EXPECT_THAT(error_of(with_tls("{\"certFile\": " + key + ", \"keyFile\": " + key + "}")),
              HasSubstr("key 'tls.certFile': '" + tls_files().server_key +
                        "': expected a PEM certificate chain"));
  EXPECT_THAT(error_of(with_tls("{\"certFile\": " + cert + ", \"keyFile\": " + key +
                                ", \"clientCaFile\": \"/nonexistent/ca.pem\"}")),
              HasSubstr("key 'tls.clientCaFile': '/nonexistent/ca.pem': cannot read it"));
  // Validated without its variables (--check), a file whose name lacks one is not read.
  EXPECT_EQ(error_of(with_tls(R"({"certFile": "${TLS_DIR}/server.pem", "keyFile": "k.pem"})"),
                     testing::without_environment()),
            "no error");
}

}  // namespace
}  // namespace healthchecks::sidecar
