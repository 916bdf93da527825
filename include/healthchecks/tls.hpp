// TLS settings of the library's https clients (peers, http checks) and of its https server:
// what to trust, what to present, how the other side is verified. Plain data: OpenSSL stays in
// the sources.
#pragma once

#include <string>

#include "healthchecks/export.hpp"

namespace healthchecks {

// ---------------------------------------------------------------------------------------------
// Calling https peers (HttpRequest::tls, checks::http; the sidecar's per-check "tls").
// ---------------------------------------------------------------------------------------------

enum class TlsVersion { tls1_2, tls1_3 };

struct TlsClientOptions {
  /// PEM file of CA certificates to trust instead of the system trust store.
  std::string ca_file;
  /// Folder of hashed CA certificates (c_rehash) to trust instead of the system trust store.
  std::string ca_dir;
  /// Client certificate chain (PEM) and its key, for servers that require mutual TLS.
  std::string cert_file;
  std::string key_file;
  /// The oldest protocol version accepted.
  TlsVersion min_version = TlsVersion::tls1_2;
  /// For test setups only: accepts any certificate, from anybody, for any host name. The
  /// connection is still encrypted, but to whoever answers.
  bool insecure_skip_verify = false;
};

inline bool operator==(const TlsClientOptions& a, const TlsClientOptions& b) {
  return a.ca_file == b.ca_file && a.ca_dir == b.ca_dir && a.cert_file == b.cert_file &&
         a.key_file == b.key_file && a.min_version == b.min_version &&
         a.insecure_skip_verify == b.insecure_skip_verify;
}
inline bool operator!=(const TlsClientOptions& a, const TlsClientOptions& b) {
  return !(a == b);
}

// ---------------------------------------------------------------------------------------------
// Serving https (ServerOptions::tls; the sidecar's top-level "tls").
// ---------------------------------------------------------------------------------------------

/// Whether an https Server that has a client CA lets clients in without a certificate.
enum class ClientCertificate {
  /// Everybody connects. A client whose certificate the client CA verifies is marked so on its
  /// requests (Request::client_certificate_verified), and the router takes that as permission
  /// to see details; a client with no certificate, or one that does not verify, is served as
  /// any other caller (the redacted form when access control is on). For Kubernetes probes and
  /// load balancers, which cannot present one.
  optional,
  /// A client without a certificate that the client CA verifies is refused at the handshake.
  required,
};

/// How an https Server identifies itself and, optionally, its clients. Files are PEM. TLS 1.2
/// is the oldest version spoken.
struct TlsServerOptions {
  /// The server's certificate chain: its own certificate first, then any intermediates.
  std::string cert_file;
  /// The private key of the first certificate of cert_file (not encrypted).
  std::string key_file;
  /// CA certificates that sign client certificates; empty: no client certificates asked for.
  std::string client_ca_file;
  /// With client_ca_file: refuse clients without a verified certificate, or let them in.
  ClientCertificate client_certificate = ClientCertificate::optional;
};

/// Reads the files of `options` as an https Server does, for configurations checked before
/// they serve (the sidecar's --check).
/// @throws Error ("server: tls: key_file '/etc/tls/key.pem': expected ...") naming the option
///         and the file that is missing or unusable.
HEALTHCHECKS_EXPORT void check_tls_files(const TlsServerOptions& options);

}  // namespace healthchecks
