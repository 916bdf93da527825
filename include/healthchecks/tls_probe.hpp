// A TLS handshake that reads the peer's certificate, on the runtime a check runs on: what the
// tlsCert check and a user's own certificate checks build on. No Boost or OpenSSL in this header.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"
#include "healthchecks/tls.hpp"

namespace healthchecks {

struct TlsProbeRequest {
  std::string host = "127.0.0.1";
  std::string port = "443";
  /// The name sent as SNI and checked against the certificate; empty: `host`.
  std::string server_name;
  /// What to trust (ca_file, ca_dir; the system trust store by default). The certificate is
  /// read whether it verifies or not.
  TlsClientOptions tls;
  /// When to give up; time_point{} stands for the context's deadline.
  std::chrono::steady_clock::time_point deadline{};
  /// The time-out to name in "timed out after N ms".
  std::optional<std::chrono::steady_clock::duration> timeout_shown;
  std::chrono::milliseconds connect_timeout{1000};
};

struct TlsPeerCertificate {
  /// Non-empty when no certificate was read: "connect: Connection refused", "TLS handshake
  /// failed: wrong version number (SSL routines) (is it plain HTTP?)".
  std::string error;
  /// Non-empty when the certificate does not verify: "certificate has expired (notAfter ...)",
  /// "host name mismatch: ...", "certificate verify failed: ...".
  std::string verify_error;
  std::string subject;    // "CN=localhost"
  std::string issuer;     // "CN=Example CA"
  std::string not_after;  // "2026-01-01 00:00:00 UTC"
  std::chrono::system_clock::time_point expires;
};

/// Connects, completes a TLS handshake, reads the peer's certificate and closes; calls `done`
/// once, on an I/O thread. Without a runtime, `done` is called at once with an error.
HEALTHCHECKS_EXPORT void tls_peer_certificate(const CheckContext& context, TlsProbeRequest request,
                                              std::function<void(TlsPeerCertificate)> done);

}  // namespace healthchecks
