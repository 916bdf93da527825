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
  /// For http(): with `levels`, the level is read from a value of the JSON answer, addressed by
  /// this RFC 6901 JSON Pointer ("/status", "/nodes/0/status"; "~1" stands for "/" and "~0"
  /// for "~" in names; "" is the whole answer), whatever the HTTP status.
  std::string json_pointer;
  /// For http(): the level of each value found at `json_pointer`, e.g. Elasticsearch's
  /// {{"green", Level::ok}, {"yellow", Level::warn}, {"red", Level::crit}}. A string value
  /// matches its text; any other its JSON text ("false", "3", "null"). A value not listed reads
  /// CRIT. The first pair that matches decides.
  std::vector<std::pair<std::string, Level>> levels;
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
///   "GET http://orders:8080/health: 200 in 1.2 ms", else CRIT saying what came back;
/// - with `levels`, `method` is sent to the URL (path or none) and the value at `json_pointer`
///   in the JSON answer, whatever its HTTP status, gives the level: "GET
///   http://es:9200/_cluster/health: /status is \"green\" (HTTP 200) in 3 ms". CRIT, saying
///   what was found, for a value not in `levels` ("/status is \"purple\", not one of green,
///   yellow, red"), no value there ("answer has no /status"), or an answer that is not JSON
///   (nesting deeper than 64 levels included; at most `max_body` bytes are read).
/// @throws Error ("check: ...") for a URL that is not http(s)://, a method other than GET or HEAD,
///         body_contains with HEAD; a json_pointer that is not a JSON Pointer, or without
///         levels; levels with HEAD, expect_status or body_contains.
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
