#include "healthchecks/router.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <future>
#include <limits>
#include <utility>
#include <vector>

#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>

#include "detail/core.hpp"
#include "detail/json_input.hpp"
#include "detail/json_writer.hpp"
#include "detail/peer_answer.hpp"
#include "detail/text.hpp"
#include "healthchecks/error.hpp"

namespace healthchecks {
namespace detail {
namespace {

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kText = "text/plain; charset=utf-8";

enum class Api { v1, v2 };

// What the router needs after it has returned from async_handle. Immutable; it never owns the
// Core, so that callbacks still queued at shutdown cannot keep the registry alive.
struct Config {
  RouterOptions options;
  std::string prefix;                              // base path + '/'
  mutable std::atomic<std::size_t> traversals{0};  // in flight, for max_traversals
};

using Done = std::function<void(Response)>;

Response json_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.content_type = kJson;
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

std::string status_body(Api api, const Status& status, bool redacted = false) {
  std::string body;
  const Status shown = redacted ? Status{status.level, {}, {}} : Status{};
  const Status& written = redacted ? shown : status;
  if (api == Api::v1) {
    append_status_v1(body, written);
  } else {
    append_status_object(body, written);
  }
  return body;
}

Response crit_response(Api api, int http_status, std::string description, std::string details) {
  return json_response(http_status,
                       status_body(api, Status::crit(std::move(description), std::move(details))));
}

// 503 with Retry-After: a limit that protects the service, not a verdict on its health.
Response busy_response(std::string details) {
  auto response = crit_response(Api::v1, 503, "Busy", std::move(details));
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

bool any_refused(const std::vector<Outcome>& outcomes) {
  return std::any_of(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return o.refused; });
}

constexpr const char* kRefused =
    "too many checks are running for callers' hop chains (max_caller_executions); try again";

int status_code(const Config& config, Level level) {
  const auto it = config.options.status_codes.find(level);
  return it == config.options.status_codes.end() ? 200 : it->second;
}

// How fresh an answer is: as fresh as the least fresh result it was made of, as old as the
// oldest one that came from memory.
struct Freshness {
  bool any = false;
  double fresh_for = std::numeric_limits<double>::infinity();
  std::optional<double> age;

  void add(double result_fresh_for, std::optional<double> result_age) {
    any = true;
    fresh_for = std::min(fresh_for, result_fresh_for);
    if (result_age) age = std::max(age.value_or(0.0), *result_age);
  }
  // Cache-Control (and Age, for answers from memory).
  void apply(Response& response) const {
    response.headers.clear();
    if (!any || !(fresh_for > 0)) {
      response.headers.emplace_back("Cache-Control", "no-cache");
    } else {
      response.headers.emplace_back("Cache-Control",
                                    "max-age=" + std::to_string(static_cast<long>(fresh_for)));
    }
    if (age) response.headers.emplace_back("Age", std::to_string(static_cast<long>(*age)));
  }
};

Freshness freshness_of(const std::vector<Outcome>& outcomes) {
  Freshness freshness;
  for (const auto& o : outcomes) freshness.add(o.fresh_for, o.age);
  return freshness;
}

// The aggregate's verdict, deterministic: the first CRIT, else the first WARN, in registration
// order. A non-critical dependency's CRIT counts as WARN: the service is degraded, not down.
struct Verdict {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t crit = none;
  std::size_t warn = none;
  bool demoted = false;  // the WARN is a non-critical CRIT

  bool decided() const noexcept { return crit != none; }
  void add(std::size_t i, Level level, bool critical) {
    if (decided() || level == Level::ok) return;
    if (level == Level::crit && critical) {
      crit = i;
    } else if (warn == none) {
      warn = i;
      demoted = level == Level::crit;
    }
  }
  std::size_t chosen() const noexcept { return decided() ? crit : warn; }
  Status finish(Status status) const {
    if (!decided() && demoted) {
      status.level = Level::warn;
      status.details = "CRIT, but not critical for this service: " + status.details;
    }
    return status;
  }
};

const Status kAllOk = Status::ok("Aggregate Check", "All checks are OK");

// Runs the checks of `states` concurrently and calls `done` with their outcomes in order. The
// shared state goes with the last callback, called or not.
void check_all(std::vector<EndpointState*> states, const Budget& budget,
               std::function<void(std::vector<Outcome>&)> done) {
  if (states.empty()) {
    std::vector<Outcome> none;
    done(none);
    return;
  }
  struct Gather {
    std::atomic<std::size_t> left;  // outcomes still to come
    std::vector<Outcome> outcomes;
    std::function<void(std::vector<Outcome>&)> done;
  };
  auto gather = std::make_shared<Gather>();
  gather->left = states.size();
  gather->outcomes.resize(states.size());
  gather->done = std::move(done);
  for (std::size_t i = 0; i < states.size(); ++i) {
    states[i]->get(budget, [gather, i](Outcome outcome) {
      gather->outcomes[i] = std::move(outcome);
      if (gather->left.fetch_sub(1) == 1) gather->done(gather->outcomes);
    });
  }
}

// What a traversal answers with the downstream answer: its body, never its status or content
// type (those would let a peer speak as this service: text/html with a script under our
// address). JSON passes through unchanged as the contract says, with our own status code for a
// status array's level; "OK" is am-i-up's answer; anything else reads CRIT saying what came.
Response relayed(const Config& config, const std::string& name, const std::string& action,
                 TraverseResult result) {
  if (!result.error.empty()) {
    return crit_response(Api::v1, 200, "Traverse", std::move(result.error));
  }
  Response& answer = result.response;
  if (action == "am-i-up" && answer.body == "OK") {
    Response response;
    response.content_type = kText;
    response.body = "OK";
    response.headers.emplace_back("Cache-Control", "no-cache");
    return response;
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

class Handler {
 public:
  Handler(Core& core, std::shared_ptr<const Config> config) : core_(core), config_(config) {}

  void dispatch(const Request& request, Done done);

 private:
  void am_i_up(Api api, const Done& done) const;
  void aggregate(Api api, std::string_view type, const Budget& budget, Done done) const;
  void about(Api api, bool check_status, const Budget& budget, Done done) const;
  void one(Api api, EndpointState& state, const Budget& budget, Done done) const;
  void traverse(std::vector<std::string> path, std::string action, std::string_view type,
                const Budget& budget, Done done) const;
  void unknown(Api api, const std::string& path, const Done& done) const;
  Budget budget_of(const Request& request) const;
  bool details_allowed(const Request& request) const;
  void trace_context(const Request& request);

  Core& core_;
  std::shared_ptr<const Config> config_;
  bool redacted_ = false;         // this caller sees levels only
  std::string_view traceparent_;  // forwarded on traversal when well-formed (views into the
  std::string_view tracestate_;   // request)
};

void Handler::am_i_up(Api api, const Done& done) const {
  if (api == Api::v2) {
    done(json_response(200, status_body(api, Status::ok("Am I Up", "The service is running"))));
    return;
  }
  Response response;
  response.content_type = kText;
  response.body = "OK";
  response.headers.emplace_back("Cache-Control", "no-cache");
  done(std::move(response));
}

void Handler::unknown(Api api, const std::string& path, const Done& done) const {
  done(crit_response(api, 404, "Unknown Status endpoint",
                     "Status endpoint does not exist: " + path));
}

void Handler::aggregate(Api api, std::string_view type, const Budget& budget, Done done) const {
  // Contract: "aggregate", with ?type=internal|external filtering by the endpoint's type.
  if (!type.empty() && type != "internal" && type != "external") {
    // A caller's typo is not the service's health: with status codes opted in it is a 400 (a
    // probe with a bad URL must not mark the instance down for ever); without, the reference's
    // 200.
    const int code = config_->options.status_codes.empty() ? 200 : 400;
    auto response =
        crit_response(api, code, "Invalid type", "Unknown check type given for aggregate check");
    done(std::move(response));
    return;
  }
  const bool every = type.empty();
  const bool internal = type == "internal";
  const auto& endpoints = core_.endpoints();

  // Polled many times a second with cached or background checks: when every result is in
  // memory, answer from levels alone, copying only the status that is shown.
  const auto now = Clock::now();
  Verdict verdict;
  bool any = false;
  auto fresh_for = Clock::duration::max();
  auto age = Clock::duration::zero();
  bool remembered = true;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const EndpointState& state = *endpoints[i];
    if (!every && state.internal() != internal) continue;
    EndpointState::Glance glance;
    if (!state.glance(now, glance)) {
      remembered = false;
      break;
    }
    any = true;
    fresh_for = std::min(fresh_for, glance.fresh_for);
    age = std::max(age, glance.age);
    verdict.add(i, glance.level, state.endpoint().critical);
  }
  if (remembered) {
    std::optional<Status> shown;
    if (verdict.chosen() == Verdict::none) {
      shown = kAllOk;
    } else if (auto outcome = endpoints[verdict.chosen()]->peek(now)) {
      shown = verdict.finish(std::move(outcome->status));
    }
    if (shown) {  // else it expired in between: take the long way
      auto response =
          json_response(status_code(*config_, shown->level), status_body(api, *shown, redacted_));
      Freshness freshness;
      if (any)
        freshness.add(std::chrono::duration<double>(fresh_for).count(),
                      std::chrono::duration<double>(age).count());
      freshness.apply(response);
      done(std::move(response));
      return;
    }
  }

  std::vector<EndpointState*> states;
  for (const auto& state : endpoints) {
    if (every || state->internal() == internal) states.push_back(state.get());
  }
  std::vector<bool> critical;
  for (const auto* state : states) critical.push_back(state->endpoint().critical);
  check_all(std::move(states), budget,
            [api, config = config_, critical = std::move(critical), redacted = redacted_,
             done = std::move(done)](std::vector<Outcome>& outcomes) {
              if (any_refused(outcomes)) return done(busy_response(kRefused));
              Verdict verdict;
              for (std::size_t i = 0; i < outcomes.size(); ++i) {
                verdict.add(i, outcomes[i].status.level, critical[i]);
              }
              const Status result = verdict.chosen() == Verdict::none
                                        ? kAllOk
                                        : verdict.finish(outcomes[verdict.chosen()].status);
              auto response = json_response(status_code(*config, result.level),
                                            status_body(api, result, redacted));
              freshness_of(outcomes).apply(response);
              done(std::move(response));
            });
}

void Handler::about(Api api, bool check_status, const Budget& budget, Done done) const {
  std::vector<EndpointState*> states;
  if (check_status) {
    for (const auto& state : core_.endpoints()) states.push_back(state.get());
  }
  Core* core = &core_;  // valid in the callback: it runs inline or inside the registry's gate
  check_all(std::move(states), budget,
            [api, check_status, core, redacted = redacted_,
             done = std::move(done)](std::vector<Outcome>& outcomes) {
              if (any_refused(outcomes)) return done(busy_response(kRefused));
              std::string body = core->about_head(redacted);
              const auto& endpoints = core->endpoints();
              for (std::size_t i = 0; i < endpoints.size(); ++i) {
                const StatusEndpoint& endpoint = endpoints[i]->endpoint();
                if (i != 0) body += ',';
                body += "{\"name\":";
                append_json_string(body, endpoint.name);
                body += ",\"status\":";
                if (!check_status) {
                  body += "null,\"statusDuration\":0";
                } else {
                  const Outcome& outcome = outcomes[i];
                  body += status_body(api, outcome.status, redacted);
                  body += ",\"statusDuration\":";
                  append_json_seconds(body, outcome.duration);
                }
                body += ",\"statusPath\":";
                append_json_string(body, endpoint.slug);
                body += ",\"type\":";
                append_json_string(body, endpoint.type);
                body +=
                    endpoint.traversable ? ",\"isTraversable\":true" : ",\"isTraversable\":false";
                // Beyond the contract, only when the service opted in to what they describe.
                if (!endpoint.critical) body += ",\"critical\":false";
                if (check_status && outcomes[i].age) {
                  body += ",\"statusAge\":";
                  append_json_number(body, *outcomes[i].age);
                }
                body += '}';
              }
              if (redacted) {
                body += "],\"customData\":{}}";
              } else {
                body += *core->about_tail();
              }
              auto response = json_response(200, std::move(body));
              freshness_of(outcomes).apply(response);
              done(std::move(response));
            });
}

void Handler::one(Api api, EndpointState& state, const Budget& budget, Done done) const {
  state.get(budget,
            [api, config = config_, redacted = redacted_, done = std::move(done)](Outcome outcome) {
              if (outcome.refused) return done(busy_response(kRefused));
              auto response = json_response(status_code(*config, outcome.status.level),
                                            status_body(api, outcome.status, redacted));
              Freshness freshness;
              freshness.add(outcome.fresh_for, outcome.age);
              freshness.apply(response);
              done(std::move(response));
            });
}

void Handler::traverse(std::vector<std::string> path, std::string action, std::string_view type,
                       const Budget& budget, Done done) const {
  // Contract: "traverse". The reference knows only action=about; aggregate, am-i-up and a
  // slug are ours, for the last hop.
  if (action.empty()) action = "about";
  if (path.empty()) {
    if (action == "about") return about(Api::v1, true, budget, std::move(done));
    if (action == "aggregate") return aggregate(Api::v1, type, budget, std::move(done));
    if (action == "am-i-up") return am_i_up(Api::v1, done);
    if (auto* state = core_.find(action)) return one(Api::v1, *state, budget, std::move(done));
    done(crit_response(Api::v1, 200, "Unsupported action",
                       "Unsupported traversal action '" + action + "'"));
    return;
  }
  // Walking on means making requests on the caller's behalf: not for callers who may not even
  // see details, and not beyond the hop limit (a crafted path through a cycle stops here).
  if (redacted_) {
    done(crit_response(Api::v1, 403, "Forbidden",
                       "traversing through this service needs permission to see details"));
    return;
  }
  const auto length = budget.hops + static_cast<long>(path.size());
  if (length > config_->options.max_hops) {
    done(crit_response(Api::v1, 200, "Can't traverse",
                       "the traversal is " + std::to_string(length) + " hops long (" +
                           std::to_string(budget.hops) + " crossed, " +
                           std::to_string(path.size()) + " to go); at most " +
                           std::to_string(config_->options.max_hops) + " are allowed"));
    return;
  }
  EndpointState* state = core_.find(path.front());
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
  auto& in_flight = config_->traversals;
  if (in_flight.fetch_add(1) >= config_->options.max_traversals) {
    in_flight.fetch_sub(1);
    done(busy_response("too many traversals in flight (at most " +
                       std::to_string(config_->options.max_traversals) + "); try again"));
    return;
  }

  const auto now = Clock::now();
  TraverseRequest hop;
  hop.path.assign(std::make_move_iterator(path.begin() + 1), std::make_move_iterator(path.end()));
  hop.action = std::move(action);
  hop.context.name = endpoint.name;
  hop.context.slug = endpoint.slug;
  hop.context.started = now;
  hop.context.deadline = std::min(budget.deadline, now + config_->options.traverse_timeout);
  hop.context.hops = budget.hops;
  hop.context.via = budget.chain(core_.instance_id());
  hop.context.runtime = &core_.runtime();
  hop.traceparent = std::string(traceparent_);
  hop.tracestate = std::string(tracestate_);
  hop.max_body = config_->options.max_traverse_body;

  // Answered once: by the traverse check, or by the deadline if it never answers.
  struct Once {
    std::atomic<bool> answered{false};
    Done done;
    std::shared_ptr<const Config> config;
    void operator()(Response response) {
      if (answered.exchange(true)) return;
      config->traversals.fetch_sub(1);
      done(std::move(response));
    }
  };
  auto once = std::make_shared<Once>();
  once->done = std::move(done);
  once->config = config_;
  auto gate = core_.gate();
  const auto limit = hop.context.deadline - now;
  Timer timer = core_.runtime().schedule(hop.context.deadline, [once, gate, limit] {
    GateEntry in(*gate);
    if (in) (*once)(crit_response(Api::v1, 200, "Traverse", "timed out after " + format_ms(limit)));
  });
  auto finish = [once, gate, timer, config = config_, action = hop.action,
                 name = endpoint.name](TraverseResult result) {
    GateEntry in(*gate);
    if (!in) return;
    timer.cancel();
    (*once)(relayed(*config, name, action, std::move(result)));
  };
  try {
    endpoint.traverse(hop, finish);
  } catch (const std::exception& e) {
    finish(TraverseResult{std::string("traverse check threw: ") + e.what(), {}});
  } catch (...) {
    finish(TraverseResult{"traverse check threw an exception that is not a std::exception", {}});
  }
}

// What is wrong with a target Boost.URL refused, in words a caller can act on (Boost.URL's own
// messages, such as "leftover", describe its parser).
std::string target_fault(std::string_view target) {
  const auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  for (std::size_t i = 0; i < target.size(); ++i) {
    const auto c = static_cast<unsigned char>(target[i]);
    if (c == '%') {
      if (i + 2 >= target.size() || !hex(target[i + 1]) || !hex(target[i + 2])) {
        return "'%' at byte " + std::to_string(i + 1) +
               " does not start a percent-encoded byte (two hex digits, e.g. %2F); write a "
               "literal '%' as %25";
      }
      i += 2;
    } else if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' ||
               c == '^' || c == '`' || c == '{' || c == '|' || c == '}' || c == '#') {
      return "byte " + std::to_string(i + 1) + " (" +
             (c >= 0x21 && c < 0x7F ? "'" + std::string(1, static_cast<char>(c)) + "'"
                                    : "0x" + std::string(1, "0123456789ABCDEF"[c >> 4]) +
                                          std::string(1, "0123456789ABCDEF"[c & 15])) +
             ") must be percent-encoded";
    }
  }
  if (target.empty() || target.front() != '/') return "it must start with '/'";
  return "it is not an origin-form target (a path, optionally '?' and a query)";
}

// Go's strconv.ParseBool, as the reference reads ?checkStatus= (anything else reads false).
bool parse_go_bool(std::string_view text) {
  return text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" ||
         text == "True";
}

Budget Handler::budget_of(const Request& request) const {
  Budget budget;
  const auto number = [&](const char* name, long max) -> std::optional<long> {
    const auto text = request.header(name);
    if (!text) return std::nullopt;
    long value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < 0) return std::nullopt;
    return std::min(value, max);
  };
  budget.hops = static_cast<int>(number(kHopsHeader, 1'000'000).value_or(0));
  if (const auto ms = number(kDeadlineHeader, 3'600'000)) {
    budget.deadline = Clock::now() + std::chrono::milliseconds(*ms);
  }
  // An over-long chain keeps its most recent ids: those are the ones a cycle comes back through,
  // and what we send on must stay within what the next service accepts.
  const std::string_view via = recent_ids(request.header(kViaHeader).value_or(""), kMaxViaBytes);
  const std::string& self = core_.instance_id();
  for (std::size_t start = 0; start < via.size();) {
    const auto end = std::min(via.find(',', start), via.size());
    if (via.substr(start, end - start) == self) budget.cycle = true;
    start = end + 1;
  }
  budget.via = via;  // a view into the request: used before dispatch returns
  return budget;
}

// W3C Trace Context: a traversal is the caller's own, so its trace follows the walk. Only a
// well-formed traceparent (version-traceid-parentid-flags, lower-case hex) goes on, with a
// tracestate of at most 512 bytes; anything else is dropped, as the recommendation says.
void Handler::trace_context(const Request& request) {
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
  traceparent_ = parent;
  const auto state = request.header("tracestate").value_or("");
  if (state.size() <= 512) tracestate_ = state;
}

bool Handler::details_allowed(const Request& request) const {
  const auto& options = config_->options;
  if (!options.allow_details) return !options.redact;
  try {
    return options.allow_details(request);
  } catch (...) {
    return false;  // a hook that fails grants nothing
  }
}

void Handler::dispatch(const Request& request, Done done) {
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
    am_i_up(Api::v1, done);
    return;
  }
  const auto& options = config_->options;
  if (request.target.size() > options.max_target_length) {
    done(crit_response(Api::v1, 414, "URI too long",
                       "the request target is " + std::to_string(request.target.size()) +
                           " bytes long; at most " + std::to_string(options.max_target_length) +
                           " are accepted"));
    return;
  }

  const auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) {
    done(crit_response(
        Api::v1, 400, "Bad request",
        "the request target is not a valid URL path and query: " + target_fault(request.target)));
    return;
  }
  const std::string_view path = parsed->encoded_path();
  if (path.substr(0, prefix.size()) != prefix) {
    unknown(Api::v1, std::string(path), done);
    return;
  }
  // Decoded segments after the prefix, as Go's r.URL.Path would give them.
  std::vector<std::string> segments;
  std::string decoded_path = prefix;
  for (const auto& piece : split(path.substr(prefix.size()), '/')) {
    const auto encoded = boost::urls::make_pct_string_view(piece);
    if (!encoded) {
      done(crit_response(Api::v1, 400, "Bad request", "invalid percent-encoding in the path"));
      return;
    }
    segments.push_back(encoded->decode());
    if (segments.size() > 1) decoded_path += '/';
    decoded_path += segments.back();
  }

  Api api = Api::v1;
  if (segments.size() == 2 && iequals(segments[0], "v2")) {
    api = Api::v2;
    segments.erase(segments.begin());
  }
  if (segments.size() != 1 || segments[0].empty()) {
    unknown(segments.size() >= 1 && iequals(segments[0], "v2") ? Api::v2 : api, decoded_path, done);
    return;
  }

  if (parsed->params().size() > options.max_query_parameters) {
    done(crit_response(Api::v1, 400, "Bad request",
                       std::to_string(parsed->params().size()) + " query parameters; at most " +
                           std::to_string(options.max_query_parameters) + " are accepted"));
    return;
  }

  // First value of each parameter, decoded ('+' is a space), as Go's URL.Query().Get.
  std::optional<std::string> type, dependencies, action, check_status;
  for (const auto param : parsed->params(boost::urls::encoding_opts(true))) {
    auto* slot = param.key == "type"           ? &type
                 : param.key == "dependencies" ? &dependencies
                 : param.key == "action"       ? &action
                 : param.key == "checkStatus"  ? &check_status
                                               : nullptr;
    if (slot != nullptr && !*slot) *slot = param.value;
  }

  const std::string& name = segments[0];
  if (name == "am-i-up") return am_i_up(api, done);
  const Budget budget = budget_of(request);
  redacted_ = !details_allowed(request);
  if (budget.hops > options.max_hops) {
    done(crit_response(api, status_code(*config_, Level::crit), "Hop limit",
                       "this request crossed " + std::to_string(budget.hops) +
                           " services, more than the " + std::to_string(options.max_hops) +
                           " allowed (is there a cycle in the service graph?)"));
    return;
  }
  if (name == "aggregate") return aggregate(api, type.value_or(""), budget, std::move(done));
  if (name == "about") {
    const bool check =
        api == Api::v1 || check_status.value_or("").empty() || parse_go_bool(*check_status);
    return about(api, check, budget, std::move(done));
  }
  if (name == "traverse" && api == Api::v1) {
    trace_context(request);  // only a traversal passes it on: polls do not look for it
    std::vector<std::string> path_list;
    if (dependencies && !dependencies->empty()) path_list = split(*dependencies, ',');
    return traverse(std::move(path_list), action.value_or(""), type.value_or(""), budget,
                    std::move(done));
  }
  if (auto* state = core_.find(name)) return one(api, *state, budget, std::move(done));
  unknown(api, decoded_path, done);
}

}  // namespace

class RouterImpl {
 public:
  RouterImpl(std::shared_ptr<Core> core, RouterOptions options)
      : core_(std::move(core)), config_(std::make_shared<Config>()) {
    auto config = std::make_shared<Config>();
    config->options = std::move(options);
    std::string base = config->options.base_path;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (!base.empty() && base.front() != '/') base.insert(base.begin(), '/');
    config->prefix = base + '/';
    for (const auto& [level, code] : config->options.status_codes) {
      if (code < 200 || code > 599 || code == 204 || code == 205 || code == 304) {
        throw Error("options", "status_codes: " + std::string(to_string(level)) + " -> " +
                                   std::to_string(code) +
                                   ": use a code from 200 to 599 that carries a body (not 204, "
                                   "205 or 304), e.g. 503");
      }
    }
    config_ = std::move(config);
    core_->start();
  }

  const std::string& prefix() const noexcept { return config_->prefix; }

  void handle(const Request& request, Done done) const {
    Handler(*core_, config_).dispatch(request, std::move(done));
  }

 private:
  std::shared_ptr<Core> core_;
  std::shared_ptr<const Config> config_;
};

}  // namespace detail

Router::Router(Registry& registry, RouterOptions options)
    : impl_(std::make_shared<detail::RouterImpl>(registry.core_, std::move(options))) {}

Router::~Router() = default;

bool Router::matches(std::string_view target) const noexcept {
  const auto& prefix = impl_->prefix();
  return target.substr(0, prefix.size()) == prefix;
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
