// Content negotiation for the IETF health+json format: how an Accept header field ranks
// application/health+json against application/json (RFC 9110, section 12.5.1).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace healthchecks::detail {

/// Media ranges read from one Accept field at most; a longer field is no request for a
/// different format (browsers send about 6, curl 1).
inline constexpr std::size_t kMaxAcceptRanges = 32;

/// The quality, in thousandths (0 to 1000), that an Accept field gives each format: from the
/// most specific range that matches it (type/subtype with parameters, type/subtype,
/// application/*, */*), the first of equals; 0 when none matches.
struct JsonQualities {
  int health_json = 0;
  int json = 0;
};

/// Reads an Accept field value in one pass without allocating: nullopt when it is malformed
/// (a range that is not type/subtype tokens, `*/json`, a q that is not 0 to 1 with at most three
/// decimals, an unterminated quoted string, junk after a range) or has more than
/// kMaxAcceptRanges ranges. Case-insensitive; empty list elements are ignored.
std::optional<JsonQualities> parse_json_qualities(std::string_view accept);

/// True only when `accept` gives application/health+json a quality strictly greater than
/// application/json's (which may come from application/* or */*): a missing, malformed or
/// oversized field, `*/*` and browsers' fields keep the Health Checks API answer.
bool prefers_health_json(std::string_view accept);

}  // namespace healthchecks::detail
