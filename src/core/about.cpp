#include "healthchecks/about.hpp"

#include <unistd.h>

#include <climits>

#include "healthchecks/error.hpp"
#include "util/json_input.hpp"
#include "util/text.hpp"

namespace healthchecks {
namespace {

constexpr const char* kNotAvailable = "N/A";

std::string string_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return kNotAvailable;
  return it->get<std::string>();
}

std::vector<std::string> string_list_field(const nlohmann::json& object, const char* key) {
  std::vector<std::string> values;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return values;
  for (const auto& element : *it) {
    values.push_back(element.is_string() ? element.get<std::string>() : kNotAvailable);
  }
  return values;
}

// nlohmann's message minus its "parse error at line L, column C: " prefix, which we replace by
// our own "file:L:C: ".
std::string parse_error_text(const nlohmann::json::exception& e) {
  std::string text = detail::json_error_text(e);
  const auto column = text.find("column ");
  if (text.rfind("parse error", 0) == 0 && column != std::string::npos) {
    const auto colon = text.find(": ", column);
    if (colon != std::string::npos) return text.substr(colon + 2);
  }
  return text;
}

}  // namespace

About parse_about(std::string_view json_text, const std::string& source) {
  if (const auto deep = detail::find_too_deep(json_text); deep != std::string_view::npos) {
    throw Error("about", source + ": " + detail::too_deep_message(json_text, deep));
  }
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    const auto [line, column] = detail::line_and_column(json_text, e.byte > 0 ? e.byte - 1 : 0);
    throw Error("about", source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                             parse_error_text(e));
  } catch (const nlohmann::json::exception& e) {
    // Not only syntax: a number too large for a double is out_of_range (found by fuzzing).
    throw Error("about", source + ": " + parse_error_text(e));
  }
  if (!document.is_object()) {
    throw Error("about", source + ": expected a JSON object at the top level, found " +
                             std::string(document.type_name()));
  }
  About about;
  about.id = string_field(document, "id");
  about.name = string_field(document, "summary");
  about.description = string_field(document, "description");
  about.owners = string_list_field(document, "maintainers");
  about.project_repo = string_field(document, "projectRepo");
  about.project_home = string_field(document, "projectHome");
  about.logs_links = string_list_field(document, "logsLinks");
  about.stats_links = string_list_field(document, "statsLinks");
  const auto custom = document.find("customData");
  if (custom != document.end() && custom->is_object()) about.custom_data = *custom;
  return about;
}

About load_about(const std::string& about_path, const std::string& version_path,
                 const nlohmann::json& custom_data) {
  std::string text;
  if (!detail::read_whole_file(about_path, text)) {
    throw Error("about", about_path + ": cannot read the about file (does it exist?)");
  }
  About about = parse_about(text, about_path);
  std::string version;
  if (!version_path.empty() && detail::read_whole_file(version_path, version)) {
    about.version = detail::trim_space(version);
  }
  if (custom_data.is_object()) {
    for (const auto& [key, value] : custom_data.items()) about.custom_data[key] = value;
  }
  return about;
}

std::optional<About> try_load_about(const std::string& about_path, const std::string& version_path,
                                    std::string& error, const nlohmann::json& custom_data) {
  try {
    return load_about(about_path, version_path, custom_data);
  } catch (const Error& e) {
    error = e.what();
    return std::nullopt;
  }
}

std::string host_name() {
  char buffer[HOST_NAME_MAX + 1] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "unknown";
  return buffer;
}

}  // namespace healthchecks
