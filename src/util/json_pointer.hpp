// RFC 6901 JSON Pointers: one value of a JSON document addressed by a path such as "/status" or
// "/nodes/0/status", for the checks that map a value of an answer to a level.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace healthchecks::detail {

/// The reference tokens of `pointer`, with "~1" read as "/" and "~0" as "~": "" is the whole
/// document (no token), "/a~1b/0" is {"a/b", "0"}. nullopt when `pointer` is not a JSON Pointer:
/// it does not start with "/", or a "~" is not followed by 0 or 1.
std::optional<std::vector<std::string>> parse_json_pointer(std::string_view pointer);

/// The value `tokens` address in `document`, or nullptr when there is none: a token names a
/// member of an object, or an element of an array by its index in decimal without leading zeros
/// ("-", the element after the last, is never there). Iterative: any depth, no exception.
const nlohmann::json* resolve_json_pointer(const nlohmann::json& document,
                                           const std::vector<std::string>& tokens);

}  // namespace healthchecks::detail
