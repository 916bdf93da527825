// Checks over HTTP: a peer that speaks the Health Checks API (its aggregate, and traversal
// through it). Connections are pooled and kept alive; nothing here blocks a thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/status_endpoint.hpp"

namespace healthchecks::checks {

struct HttpOptions {
  /// Most time to open a connection; the check's deadline bounds the whole exchange.
  std::chrono::milliseconds connect_timeout{1000};
  /// Largest answer body read; a larger one fails the check.
  std::size_t max_body = 4 * 1024 * 1024;
};

/// The status of a peer service that speaks the Health Checks API, read from
/// `<base_url>/status/aggregate` the way the Go reference reads it: OK reads OK ("<name> check
/// OK"); WARN and CRIT carry the peer's details ("<name> check failed: CRIT - {...}"); any other
/// HTTP status, an unparsable body, or no answer at all reads CRIT saying which.
///
/// @param base_url the peer's root, e.g. "http://127.0.0.1:8081" (a path prefix is kept).
/// @throws Error ("check: ...") if `base_url` is not an http:// URL.
Check peer_check(const std::string& base_url, HttpOptions options = {});

/// Walks one hop through a peer: GET `<base_url>/status/traverse?action=..&dependencies=..`
/// with every parameter percent-encoded, and passes the peer's answer back unchanged.
/// @throws Error ("check: ...") if `base_url` is not an http:// URL.
TraverseCheck peer_traverse(const std::string& base_url, HttpOptions options = {});

/// A traversable dependency on a peer: peer_check plus peer_traverse.
///
///     registry.add(healthchecks::checks::peer("Service 1", "service-1",
///                                             "http://127.0.0.1:8081"));
StatusEndpoint peer(std::string name, std::string slug, const std::string& base_url,
                    std::string type = "external", HttpOptions options = {});

}  // namespace healthchecks::checks
