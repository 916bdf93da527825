// The one request framing we refuse ourselves, shared by the Beast adapter and the Server (which
// also answers requests outside the router's path).
#pragma once

#include <optional>

#include "healthchecks/beast/router_adapter.hpp"
#include "healthchecks/response.hpp"

namespace healthchecks::detail {

/// The 400 (or 501) answer for a request whose Transfer-Encoding is anything but "chunked", or
/// nullopt when it is fine. The connection must be closed after it.
std::optional<Response> bad_transfer_encoding(const beast::request_header& request);

}  // namespace healthchecks::detail
