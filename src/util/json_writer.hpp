// Writes JSON text the way the Go reference does (HTML-safe escaping, invalid UTF-8 replaced,
// numbers in Go's float format), fast enough for the request path.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "healthchecks/status.hpp"

namespace healthchecks::detail {

/// Appends `text` as a quoted JSON string. Bytes that are not valid UTF-8 become U+FFFD.
void append_json_string(std::string& out, std::string_view text);
/// Appends a number as Go's encoding/json writes a float64.
void append_json_number(std::string& out, double value);
/// Appends a duration as seconds, exactly and without float noise: 447465 ns is 0.000447465.
void append_json_seconds(std::string& out, std::chrono::nanoseconds duration);
/// Appends any JSON value; object keys in their (sorted) order.
void append_json(std::string& out, const nlohmann::json& value);
/// Appends `{"description":...,"result":...,"details":...}`.
void append_status_object(std::string& out, const Status& status);
/// Appends the v1 status array: `["OK"]`, or `[level, {details object}]`.
void append_status_v1(std::string& out, const Status& status);

}  // namespace healthchecks::detail
