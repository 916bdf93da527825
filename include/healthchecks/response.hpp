// What the router answers: a plain HTTP response with no transport type in sight.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "healthchecks/export.hpp"

namespace healthchecks {

/// One answer of the router. Adapters copy it into their own response type.
struct HEALTHCHECKS_EXPORT Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  /// Extra header fields (Allow, Cache-Control, Age, ...), in the order to send them.
  std::vector<std::pair<std::string, std::string>> headers;

  /// The value of header `name` (case-insensitive), or an empty view.
  std::string_view header(std::string_view name) const noexcept;
};

}  // namespace healthchecks
