#include "detail/peer_answer.hpp"

#include <nlohmann/json.hpp>

#include "detail/json_writer.hpp"

namespace healthchecks::detail {

bool is_status_array(const nlohmann::json& json) {
  return json.is_array() && !json.empty() && json.size() <= 2 && json[0].is_string() &&
         parse_level(json[0].get_ref<const std::string&>()).has_value();
}

std::string excerpt(const std::string& body) {
  constexpr std::size_t kShown = 512;
  if (body.size() <= kShown) return body;
  return body.substr(0, kShown) + "... (" + std::to_string(body.size()) + " bytes)";
}

Status read_peer_aggregate(std::string_view name, int http_status, const std::string& body) {
  return read_peer_aggregate(name, http_status, body, nlohmann::json::parse(body, nullptr, false));
}

Status read_peer_aggregate(std::string_view name, int http_status, const std::string& body,
                           const nlohmann::json& json) {
  const std::string who(name);
  if (http_status != 200 && !is_status_array(json)) {
    return Status::crit(
        who, "Invalid response. Code: " + std::to_string(http_status) + ", Body: " + excerpt(body));
  }
  if (json.is_discarded() || !json.is_array() || json.empty()) {
    return Status::crit(
        who, "Error decoding json response: expected a status array, got: " + excerpt(body));
  }
  std::string details = "Error details missing";
  if (json.size() >= 2) {
    details.clear();
    append_json(details, json[1]);
  }
  if (json[0] == "OK") return Status::ok(who + " check OK", "");
  if (json[0] == "WARN") return Status::warn(who, who + " check failed: WARN - " + details);
  return Status::crit(who, who + " check failed: CRIT - " + details);
}

}  // namespace healthchecks::detail
