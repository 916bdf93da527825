// The server's TLS context (ServerOptions::tls): every way a certificate, key or CA file can be
// wrong is found here, at start-up and on reload_tls(), rather than at the first handshake.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "healthchecks/error.hpp"
#include "healthchecks/tls.hpp"
#include "transport/tls_session.hpp"

namespace healthchecks::detail {
namespace {

using error_code = boost::system::error_code;
namespace asio = boost::asio;
constexpr char kSessionIdContext[] = "healthchecks";

namespace ssl = asio::ssl;

// OpenSSL's reason, e.g. "no start line" or "key values mismatch".
std::string reason(const error_code& ec) {
  std::string text = ec.message();
  if (const auto at = text.find(" ("); at != std::string::npos) text.erase(at);
  return text;
}

bool readable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  std::fclose(file);
  return true;
}

// Every way a file can be wrong, found at start-up (and on reload) rather than at the first
// handshake; the message names the option and the file.
}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const TlsServerOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  const auto load = [](const char* key, const std::string& file, const char* expected,
                       const auto& use) {
    if (file.empty()) throw Error("server", std::string("tls: ") + key + ": expected a file name");
    if (!readable(file)) {
      throw Error("server",
                  std::string("tls: ") + key + " '" + file + "': cannot read it (does it exist?)");
    }
    // OpenSSL would read a device such as /dev/zero for ever, looking for a PEM line.
    std::error_code not_regular;
    if (!std::filesystem::is_regular_file(file, not_regular)) {
      throw Error("server", std::string("tls: ") + key + " '" + file +
                                "': expected a regular file (PEM), found something else");
    }
    error_code ec;
    use(file, ec);
    if (ec) {
      ERR_clear_error();  // what asio did not take would confuse this thread's next TLS call
      throw Error("server", std::string("tls: ") + key + " '" + file + "': expected " + expected +
                                " (" + reason(ec) + ")");
    }
  };
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  load("cert_file", options.cert_file, "a PEM certificate chain",
       [&](const std::string& file, error_code& ec) {
         context->use_certificate_chain_file(file, ec);
       });
  const auto mismatch = [&] {
    ERR_clear_error();
    return Error("server", "tls: key_file '" + options.key_file +
                               "': expected the private key of the certificate in cert_file '" +
                               options.cert_file + "'");
  };
  load("key_file", options.key_file, "a PEM private key, not encrypted",
       [&](const std::string& file, error_code& ec) {
         context->use_private_key_file(file, ssl::context::pem, ec);
         if (ec && ec.category() == asio::error::get_ssl_category() &&
             ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
           throw mismatch();
         }
       });
  if (SSL_CTX_check_private_key(native) != 1) throw mismatch();
  if (!options.client_ca_file.empty()) {
    load("client_ca_file", options.client_ca_file, "PEM CA certificates",
         [&](const std::string& file, error_code& ec) { context->load_verify_file(file, ec); });
    // Named in the CertificateRequest, so that a client holding several picks the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str());
    if (names == nullptr) {
      ERR_clear_error();
      throw Error("server", "tls: client_ca_file '" + options.client_ca_file +
                                "': expected PEM CA certificates");
    }
    SSL_CTX_set_client_CA_list(native, names);
    if (options.client_certificate == ClientCertificate::required) {
      context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    } else {
      // Everybody in; whether the certificate verified is read after the handshake.
      context->set_verify_mode(ssl::verify_peer);
      context->set_verify_callback([](bool, ssl::verify_context&) { return true; });
    }
  }
  // Resumed sessions of a server that asks for certificates need it (else OpenSSL refuses).
  SSL_CTX_set_session_id_context(native, reinterpret_cast<const unsigned char*>(kSessionIdContext),
                                 sizeof kSessionIdContext - 1);
  return context;
}

}  // namespace healthchecks::detail
