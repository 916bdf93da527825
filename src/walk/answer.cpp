#include "walk/answer.hpp"

#include <cmath>
#include <utility>

#include "util/json_input.hpp"
#include "util/json_writer.hpp"
#include "util/utf8.hpp"

namespace healthchecks::walk {
namespace {

using nlohmann::json;

std::string text_field(const json& object, const char* key, std::size_t limit = kMaxField) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return cut_text(it->get<std::string>(), limit);
}

std::vector<std::string> list_field(const json& object, const char* key) {
  std::vector<std::string> list;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return list;
  for (const auto& item : *it) {
    if (list.size() == 32) break;
    if (item.is_string()) list.push_back(cut_text(item.get<std::string>(), kMaxField));
  }
  return list;
}

// A status as About shows it: the v1 array ["OK"] / [level, {details}], or the v2 object.
void read_status(const json& status, DependencyEntry& entry) {
  const json* level = nullptr;
  const json* object = nullptr;
  if (status.is_array() && !status.empty()) {
    level = &status[0];
    if (status.size() >= 2 && status[1].is_object()) object = &status[1];
  } else if (status.is_object()) {
    object = &status;
    const auto it = status.find("result");
    if (it != status.end()) level = &*it;
  }
  const auto parsed = level != nullptr && level->is_string()
                          ? parse_level(level->get_ref<const std::string&>())
                          : std::nullopt;
  if (!parsed) {
    entry.level = Level::crit;
    std::string shown;
    detail::append_json(shown, status);
    entry.details = "unreadable status: " + cut_text(std::move(shown), 200);
    return;
  }
  entry.level = *parsed;
  if (object != nullptr) {
    entry.details = text_field(*object, "details", kMaxDetails);
    if (entry.details.empty()) entry.details = text_field(*object, "description", kMaxDetails);
  }
}

DependencyEntry read_entry(const json& item) {
  DependencyEntry entry;
  entry.name = text_field(item, "name");
  entry.slug = text_field(item, "statusPath");
  entry.type = text_field(item, "type");
  const auto traversable = item.find("isTraversable");
  entry.traversable =
      traversable != item.end() && traversable->is_boolean() && traversable->get<bool>();
  const auto duration = item.find("statusDuration");
  if (duration != item.end() && duration->is_number()) {
    const double seconds = duration->get<double>();
    entry.duration = std::isfinite(seconds) && seconds >= 0 ? seconds : 0;
  }
  const auto status = item.find("status");
  if (status == item.end()) {
    entry.level = Level::crit;
    entry.details = "no status";
  } else {
    read_status(*status, entry);
  }
  return entry;
}

std::string excerpt(const std::string& body) {
  if (body.empty()) return "(empty)";
  std::string shown = cut_text(body.substr(0, 200), 60);
  return shown + " (" + std::to_string(body.size()) + " bytes)";
}

}  // namespace

std::string cut_text(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  text.resize(detail::utf8_prefix(text, limit).size());
  return text + "...";
}

Answer read_answer(const Fetched& fetched) {
  Answer answer;
  if (!fetched.error.empty()) {
    answer.problem = cut_text(fetched.error, kMaxDetails);
    return answer;
  }
  if (fetched.status == 401 || fetched.status == 403) {
    answer.needs_token = true;
    answer.problem = "details need a token (--header)";
    return answer;
  }
  const auto input = detail::parse_untrusted_json(fetched.body);
  if (!input.error.empty()) {
    answer.problem = "answered HTTP " + std::to_string(fetched.status) + " that is not JSON (" +
                     cut_text(input.error, 200) + "): " + excerpt(fetched.body);
    return answer;
  }
  const json& value = input.value;
  if (value.is_array()) {
    // A traversal that failed on the way answers a status array (contract: "Traverse errors").
    DependencyEntry status;
    read_status(value, status);
    std::string description;
    if (value.size() >= 2 && value[1].is_object())
      description = text_field(value[1], "description");
    answer.problem = "answered " + std::string(to_string(status.level)) + " instead of an About";
    if (!description.empty() && description != status.details) answer.problem += ": " + description;
    if (!status.details.empty()) answer.problem += ": " + status.details;
    return answer;
  }
  if (!value.is_object()) {
    answer.problem = "answered HTTP " + std::to_string(fetched.status) +
                     " with neither an About nor a status: " + excerpt(fetched.body);
    return answer;
  }
  answer.has_about = true;
  ServiceAbout& about = answer.about;
  about.id = text_field(value, "id");
  about.name = text_field(value, "name");
  about.description = text_field(value, "description", kMaxDetails);
  about.protocol = text_field(value, "protocol");
  about.version = text_field(value, "version");
  about.host = text_field(value, "host");
  about.project_repo = text_field(value, "projectRepo");
  about.project_home = text_field(value, "projectHome");
  about.owners = list_field(value, "owners");
  about.logs_links = list_field(value, "logsLinks");
  about.stats_links = list_field(value, "statsLinks");
  const auto dependencies = value.find("dependencies");
  if (dependencies != value.end() && dependencies->is_array()) {
    for (const auto& item : *dependencies) {
      if (!item.is_object()) continue;
      if (answer.dependencies.size() == kMaxDependencies) {
        ++answer.dependencies_dropped;
        continue;
      }
      answer.dependencies.push_back(read_entry(item));
    }
  }
  return answer;
}

}  // namespace healthchecks::walk
