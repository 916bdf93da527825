// The client side of TLS, shared by the HTTP client and the certificate probe: SSL contexts
// made once per set of options (a Runtime service), a stream set up for one host (SNI, host
// name or IP address checked), and what went wrong said in words.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/system/error_code.hpp>

#include "healthchecks/tls.hpp"
#include "runtime/runtime_impl.hpp"

typedef struct x509_st X509;
typedef struct ssl_st SSL;

namespace healthchecks::detail {

/// The pool's word for a set of options: two requests share connections only when equal.
std::string tls_options_key(const TlsClientOptions& options);

/// SSL contexts by options, for the life of the runtime. The trust store is read once.
class TlsContexts {
 public:
  explicit TlsContexts(Runtime::Impl&) {}
  /// @throws std::runtime_error naming the file that could not be read.
  std::shared_ptr<boost::asio::ssl::context> get(const TlsClientOptions& options);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<boost::asio::ssl::context>> contexts_;
};

/// What the verification of one handshake found: the first failure and the certificate at fault.
struct VerifyNotes {
  int error = 0;          // X509_V_OK
  std::string not_after;  // of the certificate at fault, "2026-01-01 00:00:00 UTC"
  std::string names;      // its subject alternative names, "DNS:peer.example"
  std::string host;       // the name we asked for
  /// Note the failure but complete the handshake anyway (to read a certificate that does not
  /// verify); by default the handshake stops at the first failure.
  bool keep_going = false;
};

/// Sets up `ssl` (a client stream's native handle) for `host`: SNI for a name, the name or
/// IP address checked against the certificate unless verification is skipped; verification
/// failures noted in `notes`, which must outlive the handshake.
void prepare_tls_stream(SSL* ssl, const std::string& host, const TlsClientOptions& options,
                        VerifyNotes* notes);

/// The handshake's failure in words: "certificate has expired (notAfter ...)", "host name
/// mismatch: ...", "certificate verify failed: ...", "... (is it plain HTTP?)".
std::string describe_handshake_error(const boost::system::error_code& ec, const VerifyNotes& notes);

/// "2026-01-01 00:00:00 UTC" and its time point.
std::string certificate_not_after(X509* certificate);
std::chrono::system_clock::time_point certificate_expiry(X509* certificate);
/// "CN=localhost" (RFC 2253 order).
std::string certificate_subject(X509* certificate);
std::string certificate_issuer(X509* certificate);

}  // namespace healthchecks::detail
