// Checks a document against the shape draft-inadarei-api-health-check gives application/
// health+json: which fields exist, their JSON types and enumerations, RFC 3339 times.
#pragma once

#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace healthchecks::testing {

// Empty when `document` has the draft's shape, else what is wrong with it.
inline std::string health_json_shape_error(const nlohmann::json& document) {
  const auto is_status = [](const nlohmann::json& v) {
    return v.is_string() && (v == "pass" || v == "warn" || v == "fail");
  };
  const auto string_list = [](const nlohmann::json& v) {
    if (!v.is_array()) return false;
    for (const auto& item : v) {
      if (!item.is_string()) return false;
    }
    return true;
  };
  static const std::regex rfc3339(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
  if (!document.is_object()) return "the document is not an object";
  if (!document.contains("status")) return "no \"status\" (required)";
  for (const auto& [key, value] : document.items()) {
    if (key == "status") {
      if (!is_status(value)) return "status is not pass, warn or fail: " + value.dump();
    } else if (key == "version" || key == "releaseId" || key == "serviceId" ||
               key == "description" || key == "output") {
      if (!value.is_string()) return key + " is not a string";
    } else if (key == "notes") {
      if (!string_list(value)) return "notes is not an array of strings";
    } else if (key == "links") {
      if (!value.is_object()) return "links is not an object";
    } else if (key == "checks") {
      if (!value.is_object()) return "checks is not an object";
      for (const auto& [name, list] : value.items()) {
        if (name.find(':') == std::string::npos) {
          return "checks key \"" + name + "\" is not component:measurement";
        }
        if (!list.is_array() || list.empty()) return "checks." + name + " is not a non-empty array";
        for (const auto& check : list) {
          if (!check.is_object()) return "an entry of checks." + name + " is not an object";
          for (const auto& [field, v] : check.items()) {
            const std::string where = "checks." + name + "[]." + field;
            if (field == "status") {
              if (!is_status(v)) return where + " is not pass, warn or fail";
            } else if (field == "componentId" || field == "componentType" ||
                       field == "observedUnit" || field == "output") {
              if (!v.is_string()) return where + " is not a string";
            } else if (field == "time") {
              if (!v.is_string() || !std::regex_match(v.get<std::string>(), rfc3339)) {
                return where + " is not an RFC 3339 date-time: " + v.dump();
              }
            } else if (field == "affectedEndpoints") {
              if (!string_list(v)) return where + " is not an array of strings";
            } else if (field == "links") {
              if (!v.is_object()) return where + " is not an object";
            } else if (field != "observedValue") {  // any JSON value
              return where + " is not a field of the draft";
            }
          }
        }
      }
    } else {
      return "\"" + key + "\" is not a field of the draft";
    }
  }
  return {};
}

// Parses `body` and expects the draft's shape, saying what is wrong with it otherwise.
inline nlohmann::json expect_health_json_shape(const std::string& body) {
  const auto document = nlohmann::json::parse(body, nullptr, false);
  EXPECT_FALSE(document.is_discarded()) << "not JSON: " << body;
  EXPECT_EQ(health_json_shape_error(document), "") << body;
  return document;
}

}  // namespace healthchecks::testing
