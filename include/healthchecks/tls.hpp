// TLS settings shared by the library's https server and its https clients: which certificate
// files to use and how the other side is verified. Plain data: OpenSSL stays in the sources.
#pragma once

#include <string>

#include "healthchecks/export.hpp"

namespace healthchecks {

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
