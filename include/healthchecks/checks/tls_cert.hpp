// A check on a TLS endpoint's certificate: that it verifies, and how long until it expires.
// Works against any TLS server a service depends on, not only Health Checks API peers.
#pragma once

#include <chrono>
#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

namespace healthchecks::checks {

struct TlsCertOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 443;
  /// The name sent as SNI and checked against the certificate; empty: `host`.
  std::string server_name;
  /// PEM file of the CAs to trust; empty: the system trust store.
  std::string ca_file;
  /// WARN when the certificate expires within this many days, CRIT within `crit_days`.
  int warn_days = 14;
  int crit_days = 3;
  std::chrono::milliseconds connect_timeout{1000};
};

/// Connects to host:port, completes a TLS handshake and reads the peer's certificate. OK:
/// "subject CN=api, issuer CN=Example CA, notAfter 2027-03-01 00:00:00 UTC (in 92 days)"; WARN
/// within `warn_days` of the end; CRIT within `crit_days`, when it does not verify (expired,
/// another host, an unknown CA: "does not verify: certificate has expired (...)"), or when no
/// handshake completes. Asynchronous: no thread waits.
/// @throws Error ("check: ...") when crit_days > warn_days or either is negative.
HEALTHCHECKS_EXPORT Check tls_cert(TlsCertOptions options);

}  // namespace healthchecks::checks
