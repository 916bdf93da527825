// /status/traverse: one hop to the next service with the caller's deadline and chain, and what
// its answer may say here.
#include <algorithm>
#include <atomic>

#include "api/answers.hpp"
#include "api/peer_answer.hpp"
#include "core/engine.hpp"
#include "util/json_input.hpp"
#include "util/text.hpp"

namespace healthchecks::detail {
namespace {

// What a traversal answers with the downstream answer: its body, never its status or content
// type (those would let a peer speak as this service: text/html with a script under our
// address). JSON passes through unchanged as the contract says, with our own status code for a
// status array's level; "OK" is am-i-up's answer; anything else reads CRIT saying what came.
Response relayed(const RouterConfig& config, const std::string& name, const std::string& action,
                 TraverseResult result) {
  if (!result.error.empty()) {
    return crit_response(Api::v1, 200, "Traverse", std::move(result.error));
  }
  Response& answer = result.response;
  if (action == "am-i-up" && answer.body == "OK") {
    return ok_text_response();
  }
  const std::string problem = validate_untrusted_json(answer.body);
  if (!problem.empty()) {
    const auto type =
        answer.content_type.empty() ? "no content type" : short_excerpt(answer.content_type);
    return crit_response(Api::v1, 200, "Traverse",
                         name + " answered HTTP " + std::to_string(answer.status) + " (" + type +
                             "), " + problem + ": " +
                             (answer.body.empty() ? "(empty)" : short_excerpt(answer.body)));
  }
  int status = 200;
  if (!config.options.status_codes.empty() && looks_like_status_array(answer.body)) {
    const auto level = parse_untrusted_json(answer.body).value;
    if (level.is_array() && !level.empty() && level[0].is_string()) {
      if (const auto parsed = parse_level(level[0].get_ref<const std::string&>())) {
        status = status_code(config, *parsed);
      }
    }
  }
  return json_response(status, std::move(answer.body));
}

}  // namespace

void answer_traverse(Engine& engine, const ConfigPtr& config, std::vector<std::string> path,
                     std::string action, std::string_view type, const Caller& caller, Done done) {
  const Budget& budget = caller.budget;
  // Contract: "traverse". The reference knows only action=about; aggregate, am-i-up and a
  // slug are ours, for the last hop.
  if (action.empty()) action = "about";
  if (path.empty()) {
    if (action == "about")
      return answer_about(engine, config, Api::v1, true, caller, std::move(done));
    if (action == "aggregate")
      return answer_aggregate(engine, config, Api::v1, type, {}, caller, std::move(done));
    if (action == "am-i-up") return answer_am_i_up(Api::v1, done);
    if (auto* state = engine.find(action)) {
      return answer_dependency(config, Api::v1, *state, caller, std::move(done));
    }
    done(crit_response(Api::v1, 200, "Unsupported action",
                       "Unsupported traversal action '" + action + "'"));
    return;
  }
  // Walking on means making requests on the caller's behalf: not for callers who may not even
  // see details, and not beyond the hop limit (a crafted path through a cycle stops here).
  if (caller.redacted) {
    done(crit_response(Api::v1, 403, "Forbidden",
                       "traversing through this service needs permission to see details"));
    return;
  }
  const auto length = budget.hops + static_cast<long>(path.size());
  if (length > config->options.max_hops) {
    done(crit_response(Api::v1, 200, "Can't traverse",
                       "the traversal is " + std::to_string(length) + " hops long (" +
                           std::to_string(budget.hops) + " crossed, " +
                           std::to_string(path.size()) + " to go); at most " +
                           std::to_string(config->options.max_hops) + " are allowed"));
    return;
  }
  EndpointState* state = engine.find(path.front());
  if (state == nullptr) {
    done(crit_response(Api::v1, 200, "Can't traverse",
                       "Status path '" + path.front() + "' is not registered"));
    return;
  }
  const StatusEndpoint& endpoint = state->endpoint();
  if (!endpoint.traversable) {
    done(crit_response(Api::v1, 200, "Can't traverse", endpoint.name + " is not traversable"));
    return;
  }
  if (!endpoint.traverse) {
    done(crit_response(Api::v1, 200, "Can't traverse",
                       endpoint.name + " does not have a TraverseCheck() function defined"));
    return;
  }

  // Each traversal holds a connection and up to max_traverse_body bytes of answer.
  auto& in_flight = config->traversals;
  if (in_flight.fetch_add(1) >= config->options.max_traversals) {
    in_flight.fetch_sub(1);
    done(busy_response("too many traversals in flight (at most " +
                       std::to_string(config->options.max_traversals) + "); try again"));
    return;
  }

  const auto now = Clock::now();
  TraverseRequest hop;
  hop.path.assign(std::make_move_iterator(path.begin() + 1), std::make_move_iterator(path.end()));
  hop.action = std::move(action);
  hop.context.name = endpoint.name;
  hop.context.slug = endpoint.slug;
  hop.context.started = now;
  hop.context.deadline = std::min(budget.deadline, now + config->options.traverse_timeout);
  hop.context.hops = budget.hops;
  hop.context.via = budget.chain(engine.instance_id());
  hop.context.runtime = &engine.runtime();
  hop.traceparent = std::string(caller.traceparent);
  hop.tracestate = std::string(caller.tracestate);
  hop.max_body = config->options.max_traverse_body;

  // Answered once: by the traverse check, or by the deadline if it never answers.
  struct Once {
    std::atomic<bool> answered{false};
    Done done;
    ConfigPtr config;
    void operator()(Response response) {
      if (answered.exchange(true)) return;
      config->traversals.fetch_sub(1);
      done(std::move(response));
    }
  };
  auto once = std::make_shared<Once>();
  once->done = std::move(done);
  once->config = config;
  auto gate = engine.gate();
  const auto limit = hop.context.deadline - now;
  Timer timer = engine.runtime().schedule(hop.context.deadline, [once, gate, limit] {
    GateEntry in(*gate);
    if (in) (*once)(crit_response(Api::v1, 200, "Traverse", timed_out_text(limit)));
  });
  auto finish = [once, gate, timer, config, action = hop.action,
                 name = endpoint.name](TraverseResult result) {
    GateEntry in(*gate);
    if (!in) return;
    timer.cancel();
    (*once)(relayed(*config, name, action, std::move(result)));
  };
  try {
    endpoint.traverse(hop, finish);
  } catch (...) {
    finish(TraverseResult{current_exception_text("traverse check"), {}});
  }
}

}  // namespace healthchecks::detail
