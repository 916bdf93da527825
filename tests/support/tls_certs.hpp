// A throw-away PKI for the TLS tests, made with the `openssl` command in a temporary folder once
// per test process: a CA, server certificates (valid, expired, for another host, expiring soon),
// client certificates, and an unrelated CA. A missing `openssl` fails the test saying how to
// install it; nothing is skipped.
#pragma once

#include <string>

namespace healthchecks::testing {

struct TlsFiles {
  std::string dir;
  std::string ca_cert;                          // the throw-away CA (PEM)
  std::string server_cert, server_key;          // SAN DNS:localhost, IP:127.0.0.1; valid 1 year
  std::string expired_cert, expired_key;        // same SANs; notAfter 2026-01-01
  std::string other_host_cert, other_host_key;  // SAN DNS:peer.example only
  std::string soon_cert, soon_key;              // same SANs as server; expires 2 days from now
  std::string later_cert, later_key;            // same SANs; expires 10 days from now
  std::string client_cert, client_key;  // CN test-client, extendedKeyUsage clientAuth, by the CA
  std::string other_ca_cert;            // an unrelated CA
  std::string other_client_cert, other_client_key;  // client certificate by the unrelated CA
};

/// Made once per test process (the folder goes when the process exits).
/// @throws std::runtime_error naming the openssl step that failed and what it said.
const TlsFiles& tls_files();

}  // namespace healthchecks::testing
