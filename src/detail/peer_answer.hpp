// Reading what a peer service answered: untrusted input, so it has a fuzz target of its own.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "healthchecks/status.hpp"

namespace healthchecks::detail {

/// A v1 status array, `["OK"]` or `[level, {details}]`: the answer of a peer that speaks the API.
bool is_status_array(const nlohmann::json& json);

/// A peer's /status/aggregate answer read as the reference's httpsc.HttpStatusChecker reads it:
/// OK reads "<name> check OK"; WARN and CRIT "<name> check failed: CRIT - {details}"; anything
/// else CRIT saying what came back. One difference: a status array with another code than 200
/// is read as the array (a peer that opted in to status codes answers CRIT with 503).
Status read_peer_aggregate(std::string_view name, int http_status, const std::string& body);
/// The same, for a body the caller has parsed already (nlohmann::json::parse(body, nullptr,
/// false): discarded when it is not JSON).
Status read_peer_aggregate(std::string_view name, int http_status, const std::string& body,
                           const nlohmann::json& json);

/// At most 512 bytes of `body`, for messages.
std::string excerpt(const std::string& body);

}  // namespace healthchecks::detail
