#include "api/render.hpp"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "core/engine.hpp"
#include "util/json_writer.hpp"

namespace healthchecks::detail {

std::string iso_time(std::chrono::system_clock::time_point when) {
  const auto t = std::chrono::system_clock::to_time_t(when);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[96];  // room for any int the format could meet
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buffer;
}

namespace {

void append_string_list(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    append_json_string(out, values[i]);
  }
  out += ']';
}

// The About JSON up to `"dependencies":[`, in the reference's field order.
std::string about_head(const About& about) {
  std::string h = "{\"id\":";
  append_json_string(h, about.id);
  h += ",\"name\":";
  append_json_string(h, about.name);
  h += ",\"description\":";
  append_json_string(h, about.description);
  h += ",\"protocol\":\"http\",\"owners\":";
  append_string_list(h, about.owners);
  h += ",\"version\":";
  append_json_string(h, about.version);
  h += ",\"host\":";
  append_json_string(h, about.host);
  h += ",\"projectRepo\":";
  append_json_string(h, about.project_repo);
  h += ",\"projectHome\":";
  append_json_string(h, about.project_home);
  h += ",\"logsLinks\":";
  append_string_list(h, about.logs_links);
  h += ",\"statsLinks\":";
  append_string_list(h, about.stats_links);
  h += ",\"dependencies\":[";
  return h;
}

std::string about_tail(const About& about, const RegistryOptions& options,
                       const std::deque<StatusChange>& history) {
  nlohmann::json custom = about.custom_data;
  if (options.history_size > 0) {
    auto& list = custom[options.history_key] = nlohmann::json::array();
    for (const auto& change : history) {
      list.push_back({{"time", iso_time(change.when)},
                      {"slug", change.slug},
                      {"name", change.name},
                      {"from", std::string(to_string(change.from))},
                      {"to", std::string(to_string(change.to))},
                      {"details", change.status.details}});
    }
  }
  std::string tail = "],\"customData\":";
  append_json(tail, custom);
  tail += '}';
  return tail;
}

}  // namespace

Response json_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.content_type = kJson;
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

void append_status_body(std::string& body, Api api, const Status& status, bool redacted) {
  const Status shown = redacted ? Status{status.level, {}, {}} : Status{};
  const Status& written = redacted ? shown : status;
  if (api == Api::v1) {
    append_status_v1(body, written);
  } else {
    append_status_object(body, written);
  }
}

std::string status_body(Api api, const Status& status, bool redacted) {
  std::string body;
  append_status_body(body, api, status, redacted);
  return body;
}

Response crit_response(Api api, int http_status, std::string description, std::string details) {
  return json_response(http_status,
                       status_body(api, Status::crit(std::move(description), std::move(details))));
}

Response busy_response(std::string details) {
  auto response = crit_response(Api::v1, 503, "Busy", std::move(details));
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

Response ok_text_response() {
  Response response;
  response.content_type = kText;
  response.body = "OK";
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

AboutEntryText about_entry_text(const StatusEndpoint& endpoint) {
  AboutEntryText text;
  text.before_status = "{\"name\":";
  append_json_string(text.before_status, endpoint.name);
  text.before_status += ",\"status\":";
  text.after_status = ",\"statusPath\":";
  append_json_string(text.after_status, endpoint.slug);
  text.after_status += ",\"type\":";
  append_json_string(text.after_status, endpoint.type.name());
  text.after_status +=
      endpoint.traversable ? ",\"isTraversable\":true" : ",\"isTraversable\":false";
  // Beyond the contract, only when the service opted in to what it describes.
  if (!endpoint.critical) text.after_status += ",\"critical\":false";
  return text;
}

void append_about_dependency(std::string& body, const AboutEntryText& text, const Status* status,
                             Clock::duration duration, std::optional<Clock::duration> age, Api api,
                             bool redacted) {
  body += text.before_status;
  if (status == nullptr) {
    body += "null,\"statusDuration\":0";
  } else {
    append_status_body(body, api, *status, redacted);
    body += ",\"statusDuration\":";
    append_json_seconds(body, duration);
  }
  body += text.after_status;
  if (status != nullptr && age) {
    // Seconds to the nanosecond, written from the integer: shortest double formatting was the
    // largest single cost of an About from memory.
    body += ",\"statusAge\":";
    append_json_seconds(body, *age);
  }
  body += '}';
}

AboutText::AboutText(const Engine& engine) : engine_(engine) {
  head_ = engine.scrub(about_head(engine.about()));
  // Redacted: who the service is, and nothing that helps an attacker (contacts, links,
  // version, host) or that it did not mean to publish (customData).
  About redacted;
  redacted.id = engine.about().id;
  redacted.name = engine.about().name;
  redacted.host = "N/A";
  head_redacted_ = engine.scrub(about_head(redacted));
  tail_ = std::make_shared<const std::string>(
      engine.scrub(about_tail(engine.about(), engine.options(), engine.history())));
  tail_generation_ = engine.history_generation();
}

std::shared_ptr<const std::string> AboutText::tail(bool redacted) const {
  static const auto kRedactedTail = std::make_shared<const std::string>("],\"customData\":{}}");
  if (redacted) return kRedactedTail;
  std::lock_guard<std::mutex> lock(mutex_);
  const auto generation = engine_.history_generation();
  if (generation != tail_generation_) {
    // Read the generation first: a change that lands while rendering renders again next time.
    tail_ = std::make_shared<const std::string>(
        engine_.scrub(about_tail(engine_.about(), engine_.options(), engine_.history())));
    tail_generation_ = generation;
  }
  return tail_;
}

}  // namespace healthchecks::detail
