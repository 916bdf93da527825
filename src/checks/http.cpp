#include "healthchecks/checks/http.hpp"

#include <nlohmann/json.hpp>

#include "detail/http_client.hpp"
#include "detail/json_writer.hpp"
#include "detail/text.hpp"

namespace healthchecks::checks {
namespace {

constexpr std::size_t kBodyInDetails = 512;

std::string excerpt(const std::string& body) {
  if (body.size() <= kBodyInDetails) return body;
  return body.substr(0, kBodyInDetails) + "... (" + std::to_string(body.size()) + " bytes)";
}

detail::HttpRequest get(const detail::HttpUrl& url, std::string target, const CheckContext& context,
                        const HttpOptions& options) {
  detail::HttpRequest request;
  request.host = url.host;
  request.port = url.port;
  request.target = std::move(target);
  request.deadline = context.deadline;
  request.connect_timeout = options.connect_timeout;
  request.body_limit = options.max_body;
  return request;
}

// The peer's aggregate read as the reference's httpsc.HttpStatusChecker reads it.
Status read_aggregate(std::string_view name, const detail::HttpResponse& response) {
  const std::string who(name);
  if (response.status != 200) {
    return Status::crit(who, "Invalid response. Code: " + std::to_string(response.status) +
                                 ", Body: " + excerpt(response.body));
  }
  const auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded() || !json.is_array() || json.empty()) {
    return Status::crit(who, "Error decoding json response: expected a status array, got: " +
                                 excerpt(response.body));
  }
  std::string details = "Error details missing";
  if (json.size() >= 2) {
    details.clear();
    detail::append_json(details, json[1]);
  }
  if (json[0] == "OK") return Status::ok(who + " check OK", "");
  if (json[0] == "WARN") return Status::warn(who, who + " check failed: WARN - " + details);
  return Status::crit(who, who + " check failed: CRIT - " + details);
}

}  // namespace

Check peer_check(const std::string& base_url, HttpOptions options) {
  const auto url = detail::parse_http_url(base_url);
  const std::string target = url.base_path + "/status/aggregate";
  return Check::async([url, target, options](const CheckContext& context, Completion done) {
    if (context.runtime == nullptr) {
      done(Status::crit({}, "peer check run outside a Registry"));
      return;
    }
    const std::string name(context.name);
    detail::http_request(
        *context.runtime, get(url, target, context, options),
        [name, shown = url.text, done](detail::HttpResponse response) {
          if (!response.error.empty()) {
            done(Status::crit(name, "GET " + shown + "/status/aggregate: " + response.error));
            return;
          }
          done(read_aggregate(name, response));
        });
  });
}

TraverseCheck peer_traverse(const std::string& base_url, HttpOptions options) {
  const auto url = detail::parse_http_url(base_url);
  return [url, options](const TraverseRequest& hop, std::function<void(TraverseResult)> done) {
    if (hop.context.runtime == nullptr) {
      done(TraverseResult{"peer traverse run outside a Registry", {}});
      return;
    }
    // Action first, as the reference writes it; every value percent-encoded, so that a path
    // element such as "x&action=y" cannot become a parameter downstream.
    std::string target = url.base_path + "/status/traverse?action=";
    target += detail::encode_query_value(hop.action);
    if (!hop.path.empty()) {
      std::string joined;
      for (std::size_t i = 0; i < hop.path.size(); ++i) {
        if (i != 0) joined += ',';
        joined += hop.path[i];
      }
      target += "&dependencies=" + detail::encode_query_value(joined);
    }
    auto request = get(url, target, hop.context, options);
    detail::http_request(*hop.context.runtime, std::move(request),
                         [done, shown = url.text](detail::HttpResponse response) {
                           TraverseResult result;
                           if (!response.error.empty()) {
                             result.error = "GET " + shown + "/status/traverse: " + response.error;
                           } else {
                             result.response.status = response.status;
                             result.response.content_type = response.content_type;
                             result.response.body = std::move(response.body);
                           }
                           done(std::move(result));
                         });
  };
}

StatusEndpoint peer(std::string name, std::string slug, const std::string& base_url,
                    std::string type, HttpOptions options) {
  StatusEndpoint endpoint(std::move(name), std::move(slug), std::move(type),
                          peer_check(base_url, options));
  endpoint.traversable = true;
  endpoint.traverse = peer_traverse(base_url, options);
  return endpoint;
}

}  // namespace healthchecks::checks
