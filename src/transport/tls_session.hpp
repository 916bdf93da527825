// What an https connection of the embedded server needs beyond a plain one (session.hpp): the
// answer to plain HTTP on an https port, and what the client's certificate says.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/system/error_code.hpp>
#include "healthchecks/tls.hpp"

namespace healthchecks::detail {

/// The server's TLS context from its options (tls_server_context.cpp); throws Error naming the
/// option and the file when one is wrong.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsServerOptions& options);

// Plain HTTP sent to an https port: told so in plain HTTP, which is all such a client reads.
inline constexpr char kPlainHttp[] =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\nContent-Length: 44\r\n\r\nthis port speaks https: use an https:// URL\n";

// The subject of a certificate in RFC 2253 form ("CN=prober,O=ops").
inline std::string subject_of(X509* certificate) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  X509_NAME_print_ex(bio, X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string subject(data != nullptr && size > 0 ? data : "",
                      size > 0 ? static_cast<std::size_t>(size) : 0);
  BIO_free(bio);
  return subject;
}

// OpenSSL's reason for a handshake that began with an HTTP request instead of a ClientHello.
inline bool plain_http(const boost::system::error_code& ec) {
  return ec.category() == boost::asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
}

}  // namespace healthchecks::detail
