// What a service says about itself at /status/about: the About object minus its dependencies.
// Contract: health-checks-api.md, "The About object".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "healthchecks/export.hpp"

namespace healthchecks {

/// The service's own description. Fields left alone read "N/A" (strings) or [] (lists), as in
/// the reference implementation; `host` left empty reads the machine's host name.
struct About {
  std::string id = "N/A";
  /// Shown as "name"; the about file calls it "summary".
  std::string name = "N/A";
  std::string description = "N/A";
  /// Shown as "owners"; the about file calls it "maintainers".
  std::vector<std::string> owners;
  std::string version = "N/A";
  std::string host;
  std::string project_repo = "N/A";
  std::string project_home = "N/A";
  std::vector<std::string> logs_links;
  std::vector<std::string> stats_links;
  /// Free-form object shown as "customData".
  nlohmann::json custom_data = nlohmann::json::object();
};

/// Reads an about file (`{"id", "summary", "description", "maintainers", "projectRepo",
/// "projectHome", "logsLinks", "statsLinks", "customData"}`) and a version file (its whole
/// content, trimmed), as the reference implementation does. Missing or mistyped fields read
/// "N/A" / []. An empty `version_path`, or one that cannot be read, gives version "N/A".
/// `custom_data` (an object) is laid over the file's customData key by key; its values win.
///
/// @throws Error ("about: ...") naming the file, and the line and column for malformed JSON,
///         when the about file cannot be read, is not JSON, or is not a JSON object.
HEALTHCHECKS_EXPORT About load_about(const std::string& about_path,
                                     const std::string& version_path = {},
                                     const nlohmann::json& custom_data = nlohmann::json::object());

/// As load_about, but reports failure as nullopt with the message in `error`.
HEALTHCHECKS_EXPORT std::optional<About> try_load_about(
    const std::string& about_path, const std::string& version_path, std::string& error,
    const nlohmann::json& custom_data = nlohmann::json::object());

/// Reads about-file JSON from memory; `source` names it in error messages.
/// @throws Error as load_about.
HEALTHCHECKS_EXPORT About parse_about(std::string_view json_text,
                                      const std::string& source = "about.json");

/// The machine's host name ("unknown" if it cannot be read).
HEALTHCHECKS_EXPORT std::string host_name();

}  // namespace healthchecks
