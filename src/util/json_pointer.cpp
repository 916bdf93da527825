#include "util/json_pointer.hpp"

namespace healthchecks::detail {

std::optional<std::vector<std::string>> parse_json_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return std::nullopt;
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    const char c = pointer[i];
    if (c == '/') {
      tokens.emplace_back();
    } else if (c != '~') {
      tokens.back() += c;
    } else if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
      tokens.back() += pointer[++i] == '0' ? '~' : '/';
    } else {
      return std::nullopt;
    }
  }
  return tokens;
}

const nlohmann::json* resolve_json_pointer(const nlohmann::json& document,
                                           const std::vector<std::string>& tokens) {
  const nlohmann::json* at = &document;
  for (const auto& token : tokens) {
    if (at->is_object()) {
      const auto member = at->find(token);
      if (member == at->end()) return nullptr;
      at = &*member;
    } else if (at->is_array()) {
      // RFC 6901: "0", or digits that do not start with 0.
      if (token.empty() || token.size() > 18 || (token.size() > 1 && token.front() == '0') ||
          token.find_first_not_of("0123456789") != std::string::npos) {
        return nullptr;
      }
      const auto index = std::stoull(token);
      if (index >= at->size()) return nullptr;
      at = &(*at)[index];
    } else {
      return nullptr;
    }
  }
  return at;
}

}  // namespace healthchecks::detail
