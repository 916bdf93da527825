// The request target of a Health Checks API request: the path after the router's prefix, as Go's
// r.URL.Path decodes it, and the query parameters the API reads, within the router's limits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/render.hpp"
#include "healthchecks/response.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks::detail {

struct Target {
  Api api = Api::v1;
  std::string name;          // the one segment after the prefix (and v2/): aggregate, a slug...
  std::string decoded_path;  // the whole path, decoded, for "does not exist" messages
  // The first value of each parameter, decoded ('+' is a space), as Go's URL.Query().Get.
  std::optional<std::string> type, dependencies, action, check_status;
  // Every value of the repeatable ?tag= (aggregate's groups), in order.
  std::vector<std::string> tags;
};

/// Reads `target` (which starts with `prefix`). Returns the answer instead when it is not a
/// Health Checks API target: 414 past max_target_length, 400 when it does not parse (saying
/// which byte), 404 for a path with more or fewer segments, 400 past max_query_parameters.
std::optional<Response> parse_target(std::string_view target, const std::string& prefix,
                                     const RouterOptions& options, Target& parsed);

/// Go's strconv.ParseBool, as the reference reads ?checkStatus= (anything else reads false).
bool parse_go_bool(std::string_view text);

/// The 404 for a path the API does not have.
Response unknown_endpoint(Api api, const std::string& path);

}  // namespace healthchecks::detail
