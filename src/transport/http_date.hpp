// The value of an HTTP Date field for now, formatted once per second.
#pragma once

#include <string>

namespace healthchecks::detail {

/// "Sat, 21 Nov 2026 22:45:27 GMT" (RFC 9110 IMF-fixdate).
const std::string& http_date();

}  // namespace healthchecks::detail
