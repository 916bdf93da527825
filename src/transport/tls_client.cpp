#include "transport/tls_client.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

namespace healthchecks::detail {
namespace {

namespace ssl = boost::asio::ssl;

int notes_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

std::string alternative_names(X509* certificate) {
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return "no subject alternative names, " + certificate_subject(certificate);
  std::string text;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    std::string one;
    if (name->type == GEN_DNS) {
      const auto* s = name->d.dNSName;
      one = "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (name->type == GEN_IPADD) {
      const auto* s = name->d.iPAddress;
      const auto* bytes = ASN1_STRING_get0_data(s);
      const int length = ASN1_STRING_length(s);
      if (length == 4) {
        boost::asio::ip::address_v4::bytes_type b;
        std::copy(bytes, bytes + 4, b.begin());
        one = "IP:" + boost::asio::ip::address_v4(b).to_string();
      } else if (length == 16) {
        boost::asio::ip::address_v6::bytes_type b;
        std::copy(bytes, bytes + 16, b.begin());
        one = "IP:" + boost::asio::ip::address_v6(b).to_string();
      }
    }
    if (one.empty()) continue;
    text += (text.empty() ? "" : ", ") + one;
  }
  GENERAL_NAMES_free(names);
  return text;
}

int on_verify(int preverified, X509_STORE_CTX* store) {
  if (preverified != 0) return preverified;
  auto* ssl_handle =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* notes = ssl_handle != nullptr
                    ? static_cast<VerifyNotes*>(SSL_get_ex_data(ssl_handle, notes_index()))
                    : nullptr;
  if (notes != nullptr && notes->error == X509_V_OK) {
    notes->error = X509_STORE_CTX_get_error(store);
    if (X509* certificate = X509_STORE_CTX_get_current_cert(store)) {
      notes->not_after = certificate_not_after(certificate);
      notes->names = alternative_names(certificate);
    }
  }
  return notes != nullptr && notes->keep_going ? 1 : preverified;
}

std::string name_text(X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return text;
}

}  // namespace

std::string tls_options_key(const TlsClientOptions& options) {
  // Fields separated by a byte no file name in a configuration holds.
  std::string key = options.ca_file;
  for (const auto* field : {&options.ca_dir, &options.cert_file, &options.key_file}) {
    key += '\n';
    key += *field;
  }
  key += options.min_version == TlsVersion::tls1_3 ? "\n1.3" : "\n1.2";
  key += options.insecure_skip_verify ? "\ninsecure" : "\nverify";
  return key;
}

std::shared_ptr<ssl::context> TlsContexts::get(const TlsClientOptions& options) {
  const auto key = tls_options_key(options);
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto found = contexts_.find(key); found != contexts_.end()) return found->second;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), options.min_version == TlsVersion::tls1_3
                                                              ? TLS1_3_VERSION
                                                              : TLS1_2_VERSION);
  const auto step = [](const std::string& what, auto&& action) {
    boost::system::error_code ec;
    action(ec);
    if (ec) throw std::runtime_error(what + ": " + ec.message());
  };
  if (!options.insecure_skip_verify) {
    if (options.ca_file.empty() && options.ca_dir.empty()) {
      step("cannot load the system trust store",
           [&](auto& ec) { context->set_default_verify_paths(ec); });
    }
    if (!options.ca_file.empty()) {
      step("cannot read the CA file '" + options.ca_file + "'",
           [&](auto& ec) { context->load_verify_file(options.ca_file, ec); });
    }
    if (!options.ca_dir.empty()) {
      step("cannot use the CA folder '" + options.ca_dir + "'",
           [&](auto& ec) { context->add_verify_path(options.ca_dir, ec); });
    }
  }
  if (!options.cert_file.empty()) {
    step("cannot read the client certificate '" + options.cert_file + "'",
         [&](auto& ec) { context->use_certificate_chain_file(options.cert_file, ec); });
  }
  if (!options.key_file.empty()) {
    step("cannot read the client key '" + options.key_file + "'",
         [&](auto& ec) { context->use_private_key_file(options.key_file, ssl::context::pem, ec); });
  }
  contexts_.emplace(key, context);
  return context;
}

void prepare_tls_stream(SSL* ssl_handle, const std::string& host, const TlsClientOptions& options,
                        VerifyNotes* notes) {
  boost::system::error_code not_ip;
  (void)boost::asio::ip::make_address(host, not_ip);
  const bool ip = !not_ip;
  // SNI names a host; RFC 6066 forbids IP literals there.
  if (!ip) SSL_set_tlsext_host_name(ssl_handle, host.c_str());
  notes->host = host;
  SSL_set_ex_data(ssl_handle, notes_index(), notes);
  if (options.insecure_skip_verify) {
    SSL_set_verify(ssl_handle, SSL_VERIFY_NONE, nullptr);
    return;
  }
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), host.c_str());
  } else {
    SSL_set1_host(ssl_handle, host.c_str());
  }
  SSL_set_verify(ssl_handle, SSL_VERIFY_PEER, on_verify);
}

std::string describe_handshake_error(const boost::system::error_code& ec,
                                     const VerifyNotes& notes) {
  switch (notes.error) {
    case X509_V_OK:
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "certificate has expired (notAfter " + notes.not_after + ")";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "host name mismatch: the certificate is for " + notes.names + ", not " + notes.host;
    default:
      return std::string("certificate verify failed: ") +
             X509_verify_cert_error_string(notes.error);
  }
  if (ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::eof ||
      ec == boost::asio::error::connection_reset) {
    return "the server closed the connection during the handshake (is it plain HTTP?)";
  }
  if (ec.category() == boost::asio::error::get_ssl_category()) {
    const auto reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
        reason == SSL_R_HTTP_REQUEST) {
      return ec.message() + " (is it plain HTTP?)";
    }
  }
  return ec.message();
}

std::string certificate_not_after(X509* certificate) {
  std::tm when{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &when) != 1) return "unreadable";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &when);
  return text;
}

std::chrono::system_clock::time_point certificate_expiry(X509* certificate) {
  std::tm when{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &when) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&when));
}

std::string certificate_subject(X509* certificate) {
  return name_text(X509_get_subject_name(certificate));
}

std::string certificate_issuer(X509* certificate) {
  return name_text(X509_get_issuer_name(certificate));
}

}  // namespace healthchecks::detail
