// The keys of the checks that call another service (http, grpc): headers, TLS files and the
// JSON levels of an http check, read with the Reader so that errors name the file's keys.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "healthchecks/check.hpp"
#include "healthchecks/checks/http.hpp"
#include "healthchecks/tls.hpp"
#include "sidecar/reader.hpp"

namespace healthchecks::sidecar {

/// "headers": {"Authorization": "Bearer ${TOKEN}"}; each value is added to `secrets`.
std::vector<std::pair<std::string, std::string>> read_headers(const Reader& r, const json& spec,
                                                              const std::string& where,
                                                              std::vector<std::string>& secrets);

/// The file named at `key`, relative to `base_dir`, which must exist at start-up.
std::string existing_file(const Reader& r, const std::string& key, const std::string& name,
                          const std::string& base_dir);

/// "tls": {"caFile", "certFile", "keyFile", "minVersion", "insecureSkipVerify"}.
TlsClientOptions read_tls_client(const Reader& r, const json& spec, const std::string& where,
                                 const std::string& base_dir);

/// "jsonPointer" and "levels" of an http check, into `options`.
void read_json_levels(const Reader& r, const json& spec, const std::string& where,
                      checks::HttpOptions& options);

/// The "grpc" kind's check ("target", "service", "tls"); a config error in a build without gRPC.
Check grpc_check(const Reader& r, const json& spec, const std::string& where,
                 const std::string& base_dir);

}  // namespace healthchecks::sidecar
