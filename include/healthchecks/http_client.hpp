// A small asynchronous HTTP/1.1 client for checks that call HTTP services, on the runtime the
// check runs on: http or https, a deadline per request, keep-alive connections pooled per host
// (so polling does not open a socket, or make a TLS handshake, per call), the headers the caller
// configures. No Boost or OpenSSL in this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"
#include "healthchecks/tls.hpp"

namespace healthchecks {

/// An http:// or https:// URL taken apart. `base_path` has no trailing slash ("" for the root).
struct HttpUrl {
  std::string scheme = "http";  // "http" or "https"
  std::string host;             // without brackets for IPv6
  std::string port;             // "80" (http) or "443" (https) when the URL has none
  std::string base_path;
  std::string query;  // encoded, without '?'
  std::string text;   // "http://host:port/base" with any password as "***", for messages

  bool https() const { return scheme == "https"; }
};

/// Parses an absolute http:// or https:// URL.
/// @throws Error ("check: ...") when it is not one; the message quotes the URL with any
/// password masked.
HEALTHCHECKS_EXPORT HttpUrl parse_http_url(std::string_view url);

/// Percent-encodes a query parameter value: everything but unreserved characters and ','.
HEALTHCHECKS_EXPORT std::string encode_query_value(std::string_view value);

struct HttpRequest {
  std::string method = "GET";
  std::string host;
  std::string port = "80";
  /// Set: https, verified as these options say (by default against the system trust store and
  /// the host name, which is also sent as SNI unless it is an IP address).
  std::optional<TlsClientOptions> tls;
  /// Origin-form target, already encoded: "/status/aggregate?type=internal".
  std::string target = "/";
  /// Header fields to send (Host and User-Agent are sent anyway). A field whose name holds
  /// ':', CR or LF, or whose value holds CR or LF, is left out.
  std::vector<std::pair<std::string, std::string>> headers;
  /// When to give up. The default, time_point{}, stands for the context's deadline.
  std::chrono::steady_clock::time_point deadline{};
  /// The time-out to name in "timed out after N ms" when it differs from `deadline` (a check
  /// that stops its I/O a little before its own deadline names the check's time-out).
  std::optional<std::chrono::steady_clock::duration> timeout_shown;
  /// How long a new connection may take, within the deadline.
  std::chrono::milliseconds connect_timeout{1000};
  /// Largest body to read; a larger one fails the request.
  std::size_t body_limit = 4 * 1024 * 1024;
};

struct HttpResponse {
  /// Non-empty when no answer came: "connect: Connection refused", "read: timed out after
  /// 300 ms", "TLS handshake: certificate has expired (notAfter 2026-01-01 00:00:00 UTC)";
  /// then the other fields are empty.
  std::string error;
  int status = 0;
  std::string content_type;
  std::string body;
};

/// Sends `request` on the I/O threads of the context's runtime and calls `done` once, on one
/// of them (it must not block). A connection the server keeps open goes back to a pool of the
/// runtime's (by scheme, host, port and TLS options: one handshake per connection, not per
/// request); a pooled connection the server closed meanwhile is retried once on a new one.
/// TLS contexts (the trust store loaded, the client certificate read) are made once per set of
/// options and runtime.
/// Without a runtime (a check called by hand), `done` is called at once with an error.
HEALTHCHECKS_EXPORT void http_request(const CheckContext& context, HttpRequest request,
                                      std::function<void(HttpResponse)> done);

}  // namespace healthchecks
