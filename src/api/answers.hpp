// The router's answers, one function per kind of request: what each endpoint of the API does
// once the target has been parsed and the caller's budget and permissions are known.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/health_json.hpp"
#include "api/render.hpp"
#include "api/verdict.hpp"
#include "core/budget.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks::detail {

class Engine;
class EndpointState;

// What every selected dependency's remembered level says at one moment (aggregate from memory).
struct Glance {
  Verdict verdict;
  bool any = false;                                          // some dependency was selected
  Clock::time_point fresh_until = Clock::time_point::max();  // for Cache-Control
  Clock::time_point oldest = Clock::time_point::max();       // the oldest result's, for Age
  Clock::time_point holds_until = Clock::time_point::max();  // a result expires or turns stale
};

// The unfiltered aggregate's Glance, kept until a result changes (Engine::results_generation)
// or holds_until: a poll then costs the same with a thousand dependencies as with one.
struct GlanceMemo {
  std::mutex mutex;
  bool valid = false;
  std::uint64_t generation = 0;
  Glance glance;
};

// What the router needs after it has returned from async_handle. Immutable but for the count;
// it never owns the Engine, so that callbacks still queued at shutdown cannot keep the registry
// alive.
struct RouterConfig {
  RouterConfig(RouterOptions router_options, const Engine& engine);
  RouterOptions options;
  std::string prefix;             // base path + '/'
  AboutText about;                // About's text around its dependencies
  std::vector<std::string> tags;  // every registered tag, once, in order
  HealthJsonService health_json;  // the service's fields in health+json
  bool remembered = true;         // every dependency caches its result or runs in the background
  std::vector<AboutEntryText> about_entries;       // per dependency, in registration order
  mutable std::atomic<std::size_t> traversals{0};  // in flight, for max_traversals
  mutable GlanceMemo aggregate_memo;
  mutable std::atomic<std::size_t> about_size{0};  // of the last About from memory, to reserve
};
using ConfigPtr = std::shared_ptr<const RouterConfig>;

/// Who is asking: their hop budget, whether they may see details, the format they asked for,
/// their trace context (views into the request, valid until dispatch returns).
struct Caller {
  Budget budget;
  bool redacted = false;
  /// The answer depends on Accept (aggregate and About): say so with Vary: Accept.
  bool negotiated = false;
  /// Accept prefers application/health+json to application/json (api/accept.hpp).
  bool health_json = false;
  std::string_view traceparent;
  std::string_view tracestate;
};

/// Runs the checks of `states` concurrently and calls `done` with their outcomes in order
/// (outcomes.cpp). The shared state goes with the last callback, called or not.
void check_all(std::vector<EndpointState*> states, const Budget& budget,
               std::function<void(std::vector<Outcome>&)> done);
/// Whether a limit refused any of them (answer 503).
bool any_refused(const std::vector<Outcome>& outcomes);
/// The aggregate's status when no dependency is to blame.
const Status& all_ok_status();
/// The aggregate's status while the instance drains (Registry::set_ready(false)).
Status draining_status();

/// The HTTP status for a level (RouterOptions::status_codes, else 200).
int status_code(const RouterConfig& config, Level level);

void answer_am_i_up(Api api, const Done& done);
/// ?type= is "", "internal" or "external"; anything else is the caller's mistake. `tags` (the
/// ?tag= values) narrows it to the dependencies carrying any of them; each must be registered.
void answer_aggregate(Engine& engine, const ConfigPtr& config, Api api, std::string_view type,
                      const std::vector<std::string>& tags, const Caller& caller, Done done);
/// In health+json, About always checks its dependencies: the format's status is required.
void answer_about(Engine& engine, const ConfigPtr& config, Api api, bool check_status,
                  const Caller& caller, Done done);
/// /status/{slug}.
void answer_dependency(const ConfigPtr& config, Api api, EndpointState& state, const Caller& caller,
                       Done done);
/// /status/traverse: the last hop answers `action` itself; before that, one hop to the next.
void answer_traverse(Engine& engine, const ConfigPtr& config, std::vector<std::string> path,
                     std::string action, std::string_view type, const Caller& caller, Done done);

/// @throws Error when RouterOptions::dashboard is on and a dependency has its slug.
void validate_dashboard(const RouterOptions& options, const std::string& prefix,
                        const Engine& engine);
/// /status/dashboard (RouterOptions::dashboard): the page, with its security headers.
Response dashboard_response();

}  // namespace healthchecks::detail
