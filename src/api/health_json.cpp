#include "api/health_json.hpp"

#include "core/engine.hpp"
#include "util/json_writer.hpp"

namespace healthchecks::detail {
namespace {

const char* health_json_status(Level level) noexcept {
  switch (level) {
    case Level::ok:
      return "\"pass\"";
    case Level::warn:
      return "\"warn\"";
    case Level::crit:
      break;
  }
  return "\"fail\"";
}

// `"key":"value"` with its leading comma, unless the value is a placeholder.
void append_field(std::string& out, const char* key, const std::string& value) {
  if (value.empty() || value == "N/A") return;
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(out, value);
}

// The draft's "output" is for failures and warnings: it SHOULD be left out when passing.
void append_output(std::string& out, const Status& status, bool redacted) {
  if (redacted || status.level == Level::ok || status.details.empty()) return;
  out += ",\"output\":";
  append_json_string(out, status.details);
}

void append_check(std::string& out, const StatusEndpoint& endpoint, const Outcome& outcome,
                  bool redacted, std::chrono::system_clock::time_point now) {
  out += "{\"componentId\":";
  append_json_string(out, endpoint.slug);
  out += ",\"componentType\":";
  append_json_string(out, endpoint.check.component_type());
  out += ",\"observedValue\":";
  append_json_number(out, std::chrono::duration<double, std::milli>(outcome.duration).count());
  out += ",\"observedUnit\":\"ms\",\"status\":";
  out += health_json_status(outcome.status.level);
  out += ",\"time\":";
  // A result from memory is as old as it says; any other was produced just now.
  const auto produced = now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                  std::chrono::duration<double>(outcome.age.value_or(0.0)));
  append_json_string(out, iso_time(produced));
  append_output(out, outcome.status, redacted);
  out += '}';
}

}  // namespace

HealthJsonService::HealthJsonService(const Engine& engine) {
  const About& about = engine.about();
  append_field(full_, "version", about.version);
  append_field(full_, "serviceId", about.id);
  append_field(full_, "description", about.description);
  append_field(redacted_, "serviceId", about.id);
  full_ = engine.scrub(std::move(full_));
  redacted_ = engine.scrub(std::move(redacted_));
}

std::string health_json_body(const std::string& service_fields, const Status& overall,
                             const std::vector<const StatusEndpoint*>& endpoints,
                             const std::vector<Outcome>& outcomes, bool redacted,
                             std::chrono::system_clock::time_point now) {
  std::string body = "{\"status\":";
  body += health_json_status(overall.level);
  body += service_fields;
  append_output(body, overall, redacted);
  body += ",\"checks\":{";
  // One key per name; dependencies that share a name share its array (told apart by
  // componentId), so that the object never repeats a key. Registries are small: the quadratic
  // scan costs less than a map.
  bool first_key = true;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const std::string& name = endpoints[i]->name;
    bool seen = false;
    for (std::size_t j = 0; j < i && !seen; ++j) seen = endpoints[j]->name == name;
    if (seen) continue;
    if (!first_key) body += ',';
    first_key = false;
    append_json_string(body, name + ":responseTime");
    body += ":[";
    for (std::size_t k = i; k < endpoints.size(); ++k) {
      if (endpoints[k]->name != name) continue;
      if (k != i) body += ',';
      append_check(body, *endpoints[k], outcomes[k], redacted, now);
    }
    body += ']';
  }
  body += "}}";
  return body;
}

Response health_json_response(const Status& overall, std::string body) {
  Response response;
  response.status = overall.level == Level::crit ? 503 : 200;
  response.content_type = kHealthJson;
  response.body = std::move(body);
  return response;
}

}  // namespace healthchecks::detail
