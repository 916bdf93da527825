// Checks over HTTP: any URL (status code, body), and peers that speak the Health Checks API
// (their aggregate, and traversal through them). Connections are pooled and kept alive;
// nothing here blocks a thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"
#include "healthchecks/status_endpoint.hpp"
#include "healthchecks/tls.hpp"

namespace healthchecks::checks {

struct HttpOptions {
  /// Most time to open a connection; the check's deadline bounds the whole exchange.
  std::chrono::milliseconds connect_timeout{1000};
  /// Largest answer body read; a larger one fails the check.
  std::size_t max_body = 1024 * 1024;
  /// For http(): "GET" or "HEAD".
  std::string method = "GET";
  /// For http(): the status codes that read OK; empty means any 2xx.
  std::vector<int> expect_status;
  /// For http(): the body must contain this text (GET only).
  std::string body_contains;
  /// Header fields sent with every request to this dependency, by the check and by every
  /// traversal through it: the credentials this service presents to the peer, e.g.
  /// {{"Authorization", "Bearer " + token}}. Values are never shown in statuses or messages.
  /// Names or values with CR or LF are never sent.
  std::vector<std::pair<std::string, std::string>> headers;
  /// For https:// URLs: what to trust (the system trust store unless set), the client
  /// certificate to present, the oldest TLS version. The host name is always checked, unless
  /// `tls.insecure_skip_verify`.
  TlsClientOptions tls;
};

/// Any HTTP endpoint, for services that may or may not speak the Health Checks API:
/// - a URL with no path (`http://orders:8080`) is a service: its `/status/aggregate` is read as
///   peer_check() reads it; if that path does not exist (404), the root is checked as below;
/// - otherwise `method` is sent to the URL. An answer that is a v1 status array (the target
///   speaks the API, e.g. `.../status/aggregate`) is read as a peer's aggregate; any other
///   answer reads OK when its status is expected and its body contains `body_contains`:
///   "GET http://orders:8080/health: 200 in 1.2 ms", else CRIT saying what came back.
/// @throws Error ("check: ...") for a URL that is not http(s)://, a method other than GET or HEAD,
///         or body_contains with HEAD.
HEALTHCHECKS_EXPORT Check http(const std::string& url, HttpOptions options = {});

/// The status of a peer service that speaks the Health Checks API, read from
/// `<base_url>/status/aggregate` the way the Go reference reads it: OK reads OK ("<name> check
/// OK"); WARN and CRIT carry the peer's details ("<name> check failed: CRIT - {...}"); any other
/// HTTP status, an unparsable body, or no answer at all reads CRIT saying which.
///
/// @param base_url the peer's root, e.g. "http://127.0.0.1:8081" or "https://orders:8443" (a
///        path prefix is kept).
/// @throws Error ("check: ...") if `base_url` is not an http:// or https:// URL.
HEALTHCHECKS_EXPORT Check peer_check(const std::string& base_url, HttpOptions options = {});

/// Walks one hop through a peer: GET `<base_url>/status/traverse?action=..&dependencies=..`
/// with every parameter percent-encoded, the hop protocol, the caller's W3C trace context and
/// `options.headers` (never the caller's own credentials), and passes the peer's answer back.
/// @throws Error ("check: ...") if `base_url` is not an http:// or https:// URL.
HEALTHCHECKS_EXPORT TraverseCheck peer_traverse(const std::string& base_url,
                                                HttpOptions options = {});

/// A traversable dependency on a peer: peer_check plus peer_traverse. Its arguments come in the
/// order of StatusEndpoint's: name, slug, type (external unless given), then what is checked.
///
///     registry.add(healthchecks::checks::peer("Service 1", "service-1",
///                                             "http://127.0.0.1:8081"));
///
/// For another word in About's "type", set it on the result: `endpoint.type = "service";`.
HEALTHCHECKS_EXPORT StatusEndpoint peer(std::string name, std::string slug,
                                        const std::string& base_url, HttpOptions options = {});
HEALTHCHECKS_EXPORT StatusEndpoint peer(std::string name, std::string slug,
                                        StatusEndpoint::Type type, const std::string& base_url,
                                        HttpOptions options = {});

[[deprecated(
    "use peer(name, slug, base_url, options), then set endpoint.type; or "
    "peer(name, slug, StatusEndpoint::Type, base_url, options)")]] HEALTHCHECKS_EXPORT
    StatusEndpoint
    peer(std::string name, std::string slug, const std::string& base_url, std::string type,
         HttpOptions options = {});

}  // namespace healthchecks::checks
