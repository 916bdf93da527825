// A small HTTP/1.1 client on the registry's I/O threads, with keep-alive connections pooled per
// host so that frequent polling does not open a socket per call. No Asio in this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/runtime.hpp"

namespace healthchecks::detail {

/// An http:// URL taken apart. `base_path` has no trailing slash ("" for the root).
struct HttpUrl {
  std::string host;
  std::string port;
  std::string base_path;
  std::string query;  // encoded, without '?'
  std::string text;   // "http://host:port/base", for messages
};

/// Parses an absolute http:// URL.
/// @throws Error ("check: ...") when it is not one (https is not supported).
HttpUrl parse_http_url(std::string_view url);

struct HttpRequest {
  std::string method = "GET";
  std::string host;
  std::string port;
  /// Origin-form target, already encoded.
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  /// More header lines, already formatted ("Name: value\r\n" each), sent as they are: the
  /// caller guarantees they hold no other line breaks.
  std::string header_lines;
  Clock::time_point deadline;
  /// The time-out to name in messages (the check's), when it differs from the I/O deadline.
  std::optional<Clock::duration> timeout_shown;
  std::chrono::milliseconds connect_timeout{1000};
  std::size_t body_limit = 4 * 1024 * 1024;
};

struct HttpResponse {
  /// Non-empty when no answer came: "connect: Connection refused", "timed out after 300 ms".
  std::string error;
  int status = 0;
  std::string content_type;
  std::string body;
};

/// Sends `request` and calls `done` once, on an I/O thread of `runtime`.
void http_request(Runtime& runtime, HttpRequest request, std::function<void(HttpResponse)> done);

}  // namespace healthchecks::detail

namespace healthchecks::detail {

/// Percent-encodes a query parameter value: everything but unreserved characters and ','
/// (which separates traversal path elements, as the reference writes them).
std::string encode_query_value(std::string_view value);

}  // namespace healthchecks::detail
