// TLS options for the client side (https peers, http checks): what to trust, what to present,
// and the oldest protocol version accepted. No Boost or OpenSSL in this header.
#pragma once

#include <string>

namespace healthchecks {

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

}  // namespace healthchecks
