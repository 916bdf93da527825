// Header fields for requests made in-process, matched case-insensitively as HTTP does.
#pragma once

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "healthchecks/request.hpp"

namespace healthchecks::testing {

class Fields final : public Headers {
 public:
  Fields() = default;
  Fields(std::initializer_list<std::pair<const std::string, std::string>> fields)
      : fields(fields) {}

  std::optional<std::string_view> find(std::string_view name) const override {
    for (const auto& [key, value] : fields) {
      if (key.size() == name.size() &&
          std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return std::string_view(value);
      }
    }
    return std::nullopt;
  }

  std::multimap<std::string, std::string> fields;
};

}  // namespace healthchecks::testing
