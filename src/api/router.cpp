// Router: from a request to the answer that handles it (answers.hpp), after the checks every
// request goes through: prefix, method, target, the caller's hop budget and permissions.
#include "healthchecks/router.hpp"

#include <atomic>
#include <future>
#include <utility>
#include <vector>

#include "api/accept.hpp"
#include "api/answers.hpp"
#include "api/metrics.hpp"
#include "api/target.hpp"
#include "core/engine.hpp"
#include "healthchecks/error.hpp"
#include "util/text.hpp"

namespace healthchecks {
namespace detail {
namespace {

// W3C Trace Context: a traversal is the caller's own, so its trace follows the walk. Only a
// well-formed traceparent (version-traceid-parentid-flags, lower-case hex) goes on, with a
// tracestate of at most 512 bytes; anything else is dropped, as the recommendation says.
void read_trace_context(const Request& request, Caller& caller) {
  const auto parent = request.header("traceparent").value_or("");
  const auto hex = [&](std::size_t from, std::size_t count) {
    for (std::size_t i = from; i < from + count; ++i) {
      const char c = parent[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  };
  if (parent.size() != 55 || parent[2] != '-' || parent[35] != '-' || parent[52] != '-' ||
      !hex(0, 2) || !hex(3, 32) || !hex(36, 16) || !hex(53, 2) || parent.substr(0, 2) == "ff") {
    return;
  }
  caller.traceparent = parent;
  const auto state = request.header("tracestate").value_or("");
  if (state.size() <= 512) caller.tracestate = state;
}

bool details_allowed(const RouterOptions& options, const Request& request) {
  // Verified against the client CA the operator chose: as good as a token.
  if (request.client_certificate_verified) return true;
  if (!options.allow_details) return !options.redact;
  try {
    return options.allow_details(request);
  } catch (...) {
    return false;  // a hook that fails grants nothing
  }
}

void validate_status_codes(const RouterOptions& options) {
  for (const auto& [level, code] : options.status_codes) {
    if (code < 200 || code > 599 || code == 204 || code == 205 || code == 304) {
      throw Error("options", "status_codes: " + std::string(to_string(level)) + " -> " +
                                 std::to_string(code) +
                                 ": use a code from 200 to 599 that carries a body (not 204, "
                                 "205 or 304), e.g. 503");
    }
  }
}

}  // namespace

class RouterImpl {
 public:
  RouterImpl(std::shared_ptr<Engine> engine, RouterOptions options) : engine_(std::move(engine)) {
    validate_status_codes(options);
    auto config = std::make_shared<RouterConfig>(std::move(options), *engine_);
    validate_dashboard(config->options, config->prefix, *engine_);
    validate_metrics(config->options, config->prefix, *engine_);
    engine_->start();
    if (config->options.metrics) metrics_ = std::make_unique<MetricsImpl>(engine_);
    config_ = std::move(config);
  }

  const std::string& prefix() const noexcept { return config_->prefix; }

  void handle(const Request& request, Done done) const;

 private:
  void answer_metrics(const Done& done) const;

  std::shared_ptr<Engine> engine_;
  ConfigPtr config_;
  std::unique_ptr<MetricsImpl> metrics_;              // with RouterOptions::metrics
  mutable std::atomic<std::size_t> metrics_size_{0};  // the last body's, to reserve as much
};

void RouterImpl::answer_metrics(const Done& done) const {
  Response response;
  response.content_type = kPrometheusContentType;
  response.body.reserve(metrics_size_.load(std::memory_order_relaxed));
  metrics_->render(response.body);
  metrics_size_.store(response.body.size(), std::memory_order_relaxed);
  response.headers.emplace_back("Cache-Control", "no-store");
  done(std::move(response));
}

void RouterImpl::handle(const Request& request, Done done) const {
  const auto& prefix = config_->prefix;
  if (request.target.substr(0, prefix.size()) != prefix) {
    Response response;
    response.status = 404;
    response.content_type = kText;
    response.body = "Not Found";
    done(std::move(response));
    return;
  }
  const bool head = request.method == "HEAD";
  if (request.method != "GET" && !head) {
    auto response =
        crit_response(Api::v1, 405, "Method not allowed",
                      std::string(request.method) + " is not supported here; use GET (or HEAD)");
    response.headers.emplace_back("Allow", "GET, HEAD");
    done(std::move(response));
    return;
  }
  // Load balancers poll this many times a second: answer it before any parsing.
  if (request.target.size() == prefix.size() + 7 &&
      request.target.substr(prefix.size()) == "am-i-up") {
    answer_am_i_up(Api::v1, done);
    return;
  }
  const auto& options = config_->options;
  Target target;
  if (auto refused = parse_target(request.target, prefix, options, target)) {
    done(std::move(*refused));
    return;
  }
  const Api api = target.api;
  const std::string& name = target.name;
  if (name == "am-i-up") return answer_am_i_up(api, done);
  if (name == "metrics" && api == Api::v1 && metrics_) return answer_metrics(done);
  Caller caller;
  caller.budget = read_budget(request, engine_->instance_id());
  caller.redacted = !details_allowed(options, request);
  if (caller.budget.hops > options.max_hops) {
    done(crit_response(api, status_code(*config_, Level::crit), "Hop limit",
                       "this request crossed " + std::to_string(caller.budget.hops) +
                           " services, more than the " + std::to_string(options.max_hops) +
                           " allowed (is there a cycle in the service graph?)"));
    return;
  }
  Engine& engine = *engine_;
  if (name == "aggregate" || name == "about") {
    caller.negotiated = true;
    caller.health_json = prefers_health_json(request.header("Accept").value_or(""));
  }
  if (name == "aggregate") {
    return answer_aggregate(engine, config_, api, target.type.value_or(""), target.tags, caller,
                            std::move(done));
  }
  if (name == "about") {
    const bool check = api == Api::v1 || target.check_status.value_or("").empty() ||
                       parse_go_bool(*target.check_status);
    return answer_about(engine, config_, api, check, caller, std::move(done));
  }
  if (name == "traverse" && api == Api::v1) {
    read_trace_context(request, caller);  // only a traversal passes it on: polls do not look
    std::vector<std::string> path;
    if (target.dependencies && !target.dependencies->empty()) {
      path = split(*target.dependencies, ',');
    }
    return answer_traverse(engine, config_, std::move(path), target.action.value_or(""),
                           target.type.value_or(""), caller, std::move(done));
  }
  if (name == "dashboard" && api == Api::v1 && options.dashboard) {
    done(dashboard_response());
    return;
  }
  if (auto* state = engine.find(name)) {
    return answer_dependency(config_, api, *state, caller, std::move(done));
  }
  done(unknown_endpoint(api, target.decoded_path));
}

}  // namespace detail

Router::Router(Registry& registry, RouterOptions options)
    : impl_(std::make_shared<detail::RouterImpl>(registry.engine_, std::move(options))) {}

Router::~Router() = default;

bool Router::matches(std::string_view target) const noexcept {
  const auto& prefix = impl_->prefix();
  return target.substr(0, prefix.size()) == prefix;
}

std::string_view Router::prefix() const noexcept {
  return impl_->prefix();
}

void Router::async_handle(const Request& request, std::function<void(Response)> done) const {
  impl_->handle(request, std::move(done));
}

Response Router::handle(const Request& request) const {
  std::promise<Response> promise;
  auto answer = promise.get_future();
  async_handle(request, [&promise](Response response) { promise.set_value(std::move(response)); });
  return answer.get();
}

Response Router::handle(std::string_view method, std::string_view target) const {
  Request request;
  request.method = method;
  request.target = target;
  return handle(request);
}

}  // namespace healthchecks