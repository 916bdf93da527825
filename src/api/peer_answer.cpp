#include "api/peer_answer.hpp"

#include "util/json_input.hpp"
#include "util/json_writer.hpp"
#include "util/utf8.hpp"

namespace healthchecks::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string shortened(std::string_view body, std::size_t limit) {
  if (body.size() <= limit) return std::string(body);
  return std::string(utf8_prefix(body, limit)) + "... (" + std::to_string(body.size()) + " bytes)";
}

}  // namespace

bool looks_like_status_array(std::string_view body) {
  std::size_t i = 0;
  while (i < body.size() && is_space(body[i])) ++i;
  if (i == body.size() || body[i] != '[') return false;
  ++i;
  while (i < body.size() && is_space(body[i])) ++i;
  return i < body.size() && body[i] == '"';
}

std::string excerpt(std::string_view body) {
  return shortened(body, 512);
}

std::string short_excerpt(std::string_view body) {
  return shortened(body, 40);
}

std::string cut(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  const auto size = text.size();
  text.resize(utf8_prefix(text, limit).size());
  return text + "... (cut: " + std::to_string(size) + " bytes in all)";
}

Status read_peer_aggregate(std::string_view name, int http_status, const std::string& body) {
  const std::string who(name);
  const JsonInput input = parse_untrusted_json(body);
  const nlohmann::json& json = input.value;
  const bool array = json.is_array() && !json.empty() && json.size() <= 2;
  if (http_status != 200 && !array) {
    return Status::crit(
        who, "Invalid response. Code: " + std::to_string(http_status) + ", Body: " + excerpt(body));
  }
  if (!input.error.empty()) {
    return Status::crit(
        who, "Error decoding json response: " + input.error + "; got: " + short_excerpt(body));
  }
  if (!array) {
    return Status::crit(
        who, "Error decoding json response: expected a status array, got: " + excerpt(body));
  }
  const auto level =
      json[0].is_string() ? parse_level(json[0].get_ref<const std::string&>()) : std::nullopt;
  if (!level) {
    // Not the peer saying CRIT: the peer saying something we do not know.
    return Status::crit(who, who + " answered an unknown level: " + short_excerpt(body));
  }
  if (*level == Level::ok) return Status::ok(who + " check OK", "");
  std::string details = "Error details missing";
  if (json.size() >= 2) {
    details.clear();
    append_json(details, json[1]);
    details = cut(std::move(details), kMaxPeerDetails);
  }
  if (*level == Level::warn) return Status::warn(who, who + " check failed: WARN - " + details);
  return Status::crit(who, who + " check failed: CRIT - " + details);
}

}  // namespace healthchecks::detail
