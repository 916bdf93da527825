#include "healthchecks/checks/http.hpp"

#include <algorithm>
#include <memory>

#include "api/peer_answer.hpp"
#include "checks/network_check.hpp"
#include "checks/probe.hpp"
#include "healthchecks/error.hpp"
#include "healthchecks/http_client.hpp"
#include "util/json_input.hpp"
#include "util/json_pointer.hpp"
#include "util/text.hpp"

namespace healthchecks::checks {
namespace {

HttpRequest get(const HttpUrl& url, std::string target, const CheckContext& context,
                const HttpOptions& options, std::string method = "GET") {
  HttpRequest request;
  request.method = std::move(method);
  request.host = url.host;
  request.port = url.port;
  if (url.https()) request.tls = options.tls;
  request.target = std::move(target);
  request.deadline = detail::probe_deadline(context.deadline);
  request.timeout_shown = context.deadline - context.started;
  // The hop protocol: the peer counts the hop, cuts cycles, and answers within our deadline.
  request.headers = context.forward_headers();
  // This service's credentials for the peer.
  request.headers.insert(request.headers.end(), options.headers.begin(), options.headers.end());
  request.connect_timeout = options.connect_timeout;
  request.body_limit = options.max_body;
  return request;
}

Status read_aggregate(std::string_view name, const HttpResponse& response) {
  return detail::read_peer_aggregate(name, response.status, response.body);
}

// What http() does with an answer that is not a status array: status and body expectations.
Status judge_plain(const std::string& shown, const HttpOptions& options,
                   const HttpResponse& response, detail::Clock::duration took) {
  const bool expected = options.expect_status.empty()
                            ? response.status >= 200 && response.status < 300
                            : std::find(options.expect_status.begin(), options.expect_status.end(),
                                        response.status) != options.expect_status.end();
  const std::string code = std::to_string(response.status);
  if (!expected) {
    std::string wanted;
    for (const int s : options.expect_status)
      wanted += (wanted.empty() ? "" : " or ") + std::to_string(s);
    return Status::crit(shown + " answered " + code + " (expected " +
                        (wanted.empty() ? "2xx" : wanted) + ")" +
                        (response.body.empty() ? "" : ": " + detail::excerpt(response.body)));
  }
  if (!options.body_contains.empty() &&
      response.body.find(options.body_contains) == std::string::npos) {
    return Status::crit(shown + " answered " + code + " but the body does not contain \"" +
                        options.body_contains + "\": " + detail::excerpt(response.body));
  }
  return Status::ok({}, shown + ": " + code + " in " + detail::format_elapsed(took));
}

// At most 40 bytes of `text`, on one line, for naming what came back.
std::string shown_briefly(std::string_view text) {
  std::string out;
  detail::append_one_line(out, detail::short_excerpt(text));
  return out;
}

// What http() does with `levels`: the value at `json_pointer` in the JSON answer decides,
// whatever the HTTP status (Spring Boot answers DOWN with 503, Vault sealed with 503).
Status judge_mapped(const std::string& shown, const HttpOptions& options,
                    const std::vector<std::string>& tokens, const HttpResponse& response,
                    detail::Clock::duration took) {
  const std::string code = "(HTTP " + std::to_string(response.status) + ")";
  if (response.body.empty())
    return Status::crit(shown + ": answer is not JSON " + code + ": empty");
  // Untrusted: the depth-limited reader, and a body no longer than max_body.
  const detail::JsonInput input = detail::parse_untrusted_json(response.body);
  if (!input.error.empty()) {
    return Status::crit(shown + ": answer is not JSON " + code + ": " + input.error +
                        "; got: " + shown_briefly(response.body));
  }
  const std::string where = options.json_pointer.empty() ? "the answer" : options.json_pointer;
  const nlohmann::json* value = detail::resolve_json_pointer(input.value, tokens);
  if (value == nullptr) {
    return Status::crit(shown + ": answer has no " + where + " " + code + ": " +
                        shown_briefly(response.body));
  }
  const std::string json_text =
      value->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string& text = value->is_string() ? value->get_ref<const std::string&>() : json_text;
  const std::string found = where + " is " + shown_briefly(json_text);
  for (const auto& [match, level] : options.levels) {
    if (match == text) {
      return Status{
          level, {}, shown + ": " + found + " " + code + " in " + detail::format_elapsed(took)};
    }
  }
  std::string known;
  for (const auto& [match, level] : options.levels) known += (known.empty() ? "" : ", ") + match;
  return Status::crit(shown + ": " + found + ", not one of " + known + " " + code);
}

// One run of http(): the request, and for a service root the fall-back to the root itself.
struct HttpRun : std::enable_shared_from_this<HttpRun> {
  explicit HttpRun(Completion completion) : done(std::move(completion)) {}

  HttpUrl url;
  HttpOptions options;
  std::vector<std::string> pointer_tokens;  // of options.json_pointer, with levels
  std::string plain_target;
  bool root = false;
  CheckContext context;
  std::string name;
  Completion done;
  detail::Clock::time_point started = detail::Clock::now();

  void start() {
    if (root) {
      send("GET", url.base_path + "/status/aggregate", true);
    } else {
      send(options.method, plain_target, false);
    }
  }

  void send(const std::string& method, const std::string& target, bool probing_api) {
    const std::string shown =
        method + " " + url.text + (target == "/" ? "/" : target.substr(url.base_path.size()));
    http_request(context, get(url, target, context, options, method),
                 [self = shared_from_this(), shown, probing_api](HttpResponse response) {
                   self->on_answer(shown, probing_api, response);
                 });
  }

  void on_answer(const std::string& shown, bool probing_api, const HttpResponse& response) {
    if (!response.error.empty()) return done(Status::crit(shown + ": " + response.error));
    if (!options.levels.empty()) {
      return done(
          judge_mapped(shown, options, pointer_tokens, response, detail::Clock::now() - started));
    }
    if (probing_api && response.status == 404) {
      return send(options.method, plain_target,
                  false);  // a service root that does not speak the API
    }
    // An answer that opens like a status array speaks the API: it is read as one, and one
    // that does not parse reads CRIT rather than passing for a plain 200.
    const bool api_answer = !(options.method == "HEAD" && !probing_api) &&
                            detail::looks_like_status_array(response.body);
    if (probing_api || api_answer) {
      return done(detail::read_peer_aggregate(name, response.status, response.body));
    }
    done(judge_plain(shown, options, response, detail::Clock::now() - started));
  }
};

// The reference tokens of options.json_pointer, once its use with the other options is checked.
std::vector<std::string> checked_pointer_tokens(const HttpUrl& url, const HttpOptions& options) {
  if (options.levels.empty() && options.json_pointer.empty()) return {};
  const std::string at = "http " + url.text + ": ";
  const auto tokens = detail::parse_json_pointer(options.json_pointer);
  if (!tokens) {
    throw Error("check", at + "json_pointer '" + options.json_pointer +
                             "' is not a JSON Pointer (RFC 6901): \"\" or starting with \"/\", "
                             "such as \"/status\" (~1 for / and ~0 for ~ in names)");
  }
  if (options.levels.empty()) {
    throw Error("check",
                at + "json_pointer '" + options.json_pointer +
                    "' needs levels, e.g. {{\"green\", Level::ok}, {\"red\", Level::crit}}");
  }
  if (options.method == "HEAD") throw Error("check", at + "a HEAD answer has no body to map");
  if (!options.expect_status.empty() || !options.body_contains.empty()) {
    throw Error("check", at + "with levels the value at '" + options.json_pointer +
                             "' decides, whatever the status and body: leave expect_status and "
                             "body_contains empty");
  }
  return *tokens;
}

}  // namespace

Check http(const std::string& url_text, HttpOptions options) {
  const auto url = parse_http_url(url_text);
  if (options.method != "GET" && options.method != "HEAD") {
    throw Error("check", "http " + url.text + ": method '" + options.method + "': use GET or HEAD");
  }
  if (options.method == "HEAD" && !options.body_contains.empty()) {
    throw Error("check", "http " + url.text + ": a HEAD answer has no body to contain \"" +
                             options.body_contains + "\"");
  }
  const auto tokens = checked_pointer_tokens(url, options);
  // With levels the answer is read as the caller says, never as a peer's.
  const bool root = options.levels.empty() && url.base_path.empty() && url.query.empty();
  std::string plain_target = url.base_path.empty() ? "/" : url.base_path;
  if (!url.query.empty()) plain_target += "?" + url.query;
  return detail::network_check("http", [url, options, tokens, plain_target, root](
                                           const CheckContext& context, Completion done) {
    auto run = std::make_shared<HttpRun>(std::move(done));
    run->url = url;
    run->options = options;
    run->pointer_tokens = tokens;
    run->plain_target = plain_target;
    run->root = root;
    run->context = context;
    run->name = std::string(context.name);
    run->start();
  });
}

Check peer_check(const std::string& base_url, HttpOptions options) {
  const auto url = parse_http_url(base_url);
  const std::string target = url.base_path + "/status/aggregate";
  return detail::network_check(
      "peer", [url, target, options](const CheckContext& context, Completion done) {
        const std::string name(context.name);
        http_request(
            context, get(url, target, context, options),
            [name, shown = url.text, done](HttpResponse response) {
              if (!response.error.empty()) {
                done(Status::crit(name, "GET " + shown + "/status/aggregate: " + response.error));
                return;
              }
              done(read_aggregate(name, response));
            });
      });
}

TraverseCheck peer_traverse(const std::string& base_url, HttpOptions options) {
  const auto url = parse_http_url(base_url);
  return [url, options](const TraverseRequest& hop, std::function<void(TraverseResult)> done) {
    if (hop.context.runtime == nullptr) {
      done(TraverseResult{"peer traverse run outside a Registry", {}});
      return;
    }
    // Action first, as the reference writes it; every value percent-encoded, so that a path
    // element such as "x&action=y" cannot become a parameter downstream.
    std::string target = url.base_path + "/status/traverse?action=";
    target += encode_query_value(hop.action);
    if (!hop.path.empty()) {
      std::string joined;
      for (std::size_t i = 0; i < hop.path.size(); ++i) {
        if (i != 0) joined += ',';
        joined += hop.path[i];
      }
      target += "&dependencies=" + encode_query_value(joined);
    }
    auto request = get(url, target, hop.context, options);
    request.body_limit = std::min(request.body_limit, hop.max_body);
    if (!hop.traceparent.empty()) {
      request.headers.emplace_back("traceparent", hop.traceparent);
      if (!hop.tracestate.empty()) request.headers.emplace_back("tracestate", hop.tracestate);
    }
    http_request(hop.context, std::move(request), [done, shown = url.text](HttpResponse response) {
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

namespace {
StatusEndpoint make_peer(std::string name, std::string slug, StatusEndpoint::TypeName type,
                         const std::string& base_url, const HttpOptions& options) {
  StatusEndpoint endpoint(std::move(name), std::move(slug), std::move(type),
                          peer_check(base_url, options));
  endpoint.traversable = true;
  endpoint.traverse = peer_traverse(base_url, options);
  return endpoint;
}
}  // namespace

StatusEndpoint peer(std::string name, std::string slug, const std::string& base_url,
                    HttpOptions options) {
  return make_peer(std::move(name), std::move(slug), StatusEndpoint::Type::external, base_url,
                   options);
}

StatusEndpoint peer(std::string name, std::string slug, StatusEndpoint::Type type,
                    const std::string& base_url, HttpOptions options) {
  return make_peer(std::move(name), std::move(slug), type, base_url, options);
}

StatusEndpoint peer(std::string name, std::string slug, const std::string& base_url,
                    std::string type, HttpOptions options) {
  return make_peer(std::move(name), std::move(slug), std::move(type), base_url, options);
}

}  // namespace healthchecks::checks
