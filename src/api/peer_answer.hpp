// Reading what a peer service answered: untrusted input, so it has a fuzz target of its own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "healthchecks/status.hpp"

namespace healthchecks::detail {

/// The most bytes of a peer's details kept in a status: a peer that answers megabytes of
/// details must not have them copied into every answer that shows them.
inline constexpr std::size_t kMaxPeerDetails = 4096;

/// True when `body` opens like a v1 status array (`[` and a string): the answer of a service
/// that speaks the API, which must then parse as one or read CRIT, never fall back to OK.
bool looks_like_status_array(std::string_view body);

/// A peer's /status/aggregate answer read as the reference's httpsc.HttpStatusChecker reads it:
/// OK reads "<name> check OK"; WARN and CRIT "<name> check failed: CRIT - {details}" (details
/// cut to kMaxPeerDetails bytes); anything else CRIT saying what came back: another HTTP status,
/// text that does not parse (nesting deeper than 64 levels included), an unknown level. One
/// difference: a status array with another code than 200 is read as the array (a peer that
/// opted in to status codes answers CRIT with 503).
Status read_peer_aggregate(std::string_view name, int http_status, const std::string& body);

/// At most 512 bytes of `body`, for messages.
std::string excerpt(std::string_view body);
/// At most 40 bytes of `body` and its length, for naming what came back in one line.
std::string short_excerpt(std::string_view body);
/// `text` cut to `limit` bytes at a character boundary, marked as cut when it was.
std::string cut(std::string text, std::size_t limit);

}  // namespace healthchecks::detail
