// Answers made of the registry's check results: aggregate, About, one dependency.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <optional>

#include "api/answers.hpp"
#include "api/verdict.hpp"
#include "core/engine.hpp"

namespace healthchecks::detail {
namespace {

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

constexpr const char* kRefused =
    "too many checks are running for callers' hop chains (max_caller_executions); try again";

// The HTTP caching headers of an answer: as fresh as the least fresh result it was made of, as
// old as the oldest one that came from memory.
struct CacheHeaders {
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

CacheHeaders cache_headers_of(const std::vector<Outcome>& outcomes) {
  CacheHeaders headers;
  for (const auto& o : outcomes) headers.add(o.fresh_for, o.age);
  return headers;
}

Clock::time_point after(Clock::time_point now, Clock::duration d) {
  return d >= Clock::time_point::max() - now ? Clock::time_point::max() : now + d;
}

void add(Glance& glance, std::size_t i, const EndpointState::CachedLevel& cached, bool critical,
         Clock::time_point now) {
  glance.any = true;
  glance.verdict.add(i, cached.level, critical);
  glance.fresh_until = std::min(glance.fresh_until, now + cached.fresh_for);
  glance.oldest = std::min(glance.oldest, now - cached.age);
  glance.holds_until = std::min(glance.holds_until, after(now, cached.holds_for));
}

// A memo that is busy (another thread keeps or reads it) is passed by, never waited for.
bool recall(GlanceMemo& memo, std::uint64_t generation, Clock::time_point now, Glance& glance) {
  std::unique_lock<std::mutex> lock(memo.mutex, std::try_to_lock);
  if (!lock || !memo.valid || memo.generation != generation || now >= memo.glance.holds_until) {
    return false;
  }
  glance = memo.glance;
  return true;
}

void keep(GlanceMemo& memo, std::uint64_t generation, const Glance& glance) {
  std::unique_lock<std::mutex> lock(memo.mutex, std::try_to_lock);
  if (!lock) return;
  memo.valid = true;
  memo.generation = generation;
  memo.glance = glance;
}

// Aggregate and About answer by Accept: caches must keep the two formats apart.
void add_vary(Response& response, bool negotiated) {
  if (negotiated) response.headers.emplace_back("Vary", "Accept");
}

// Aggregate and About in health+json: the dependencies of `states` checked, the aggregate's
// verdict as the status, each result under "checks".
void answer_health_json(const ConfigPtr& config, std::vector<EndpointState*> states,
                        const Caller& caller, Done done) {
  std::vector<const StatusEndpoint*> endpoints;
  for (const auto* state : states) endpoints.push_back(&state->endpoint());
  // The endpoints live as long as the registry, which outlives the callback (it runs inline or
  // inside the registry's gate).
  check_all(std::move(states), caller.budget,
            [config, endpoints = std::move(endpoints), redacted = caller.redacted,
             done = std::move(done)](std::vector<Outcome>& outcomes) {
              if (any_refused(outcomes)) {
                auto response = busy_response(kRefused);
                add_vary(response, true);
                return done(std::move(response));
              }
              Verdict verdict;
              for (std::size_t i = 0; i < outcomes.size(); ++i) {
                verdict.add(i, outcomes[i].status.level, endpoints[i]->critical);
              }
              const Status overall = verdict.chosen() == Verdict::none
                                         ? all_ok_status()
                                         : verdict.finish(outcomes[verdict.chosen()].status);
              auto response = health_json_response(
                  overall,
                  health_json_body(config->health_json.fields(redacted), overall, endpoints,
                                   outcomes, redacted, std::chrono::system_clock::now()));
              cache_headers_of(outcomes).apply(response);
              add_vary(response, true);
              done(std::move(response));
            });
}

// About when every dependency's result is in memory (cached or refreshed in the background):
// rendered in place under each endpoint's lock, without an Outcome copy, a callback or a gather
// per dependency, which cost most of an About of a thousand (docs/benchmarks.md). False, having
// answered nothing, when some result is not usable now: the long way runs its check.
bool answer_about_from_memory(const Engine& engine, const RouterConfig& config, Api api,
                              const Caller& caller, const Done& done) {
  const auto now = Clock::now();
  const auto& endpoints = engine.endpoints();
  std::string body;
  // Reserved at the last one's size: growing a large body by doubling copies it about twice.
  body.reserve(config.about_size.load(std::memory_order_relaxed));
  body += config.about.head(caller.redacted);
  CacheHeaders freshness;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const auto memory = endpoints[i]->remembered(now);
    if (!memory.usable()) return false;
    if (i != 0) body += ',';
    append_about_dependency(body, config.about_entries[i], &memory.status(), memory.duration,
                            memory.age, api, caller.redacted);
    freshness.add(seconds(memory.fresh_for), seconds(memory.age));
  }
  body += *config.about.tail(caller.redacted);
  config.about_size.store(body.size(), std::memory_order_relaxed);
  auto response = json_response(200, std::move(body));
  freshness.apply(response);
  add_vary(response, caller.negotiated);
  done(std::move(response));
  return true;
}

}  // namespace

RouterConfig::RouterConfig(RouterOptions router_options, const Engine& engine)
    : options(std::move(router_options)), about(engine), health_json(engine) {
  std::string base = options.base_path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.empty() && base.front() != '/') base.insert(base.begin(), '/');
  prefix = base + '/';
  for (const auto& state : engine.endpoints()) {
    const auto& endpoint = state->endpoint();
    remembered = remembered && (endpoint.cache_ttl.count() > 0 || endpoint.interval.count() > 0);
    about_entries.push_back(about_entry_text(endpoint));
    for (const auto& tag : state->endpoint().tags) {
      if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
    }
  }
}

int status_code(const RouterConfig& config, Level level) {
  const auto it = config.options.status_codes.find(level);
  return it == config.options.status_codes.end() ? 200 : it->second;
}

void answer_am_i_up(Api api, const Done& done) {
  if (api == Api::v2) {
    done(json_response(200, status_body(api, Status::ok("Am I Up", "The service is running"))));
    return;
  }
  done(ok_text_response());
}

void answer_aggregate(Engine& engine, const ConfigPtr& config, Api api, std::string_view type,
                      const std::vector<std::string>& tags, const Caller& caller, Done done) {
  // Draining (Registry::set_ready(false)): out of rotation whatever the query, without asking
  // any dependency; CRIT so that a monitor reading only the body agrees with the 503.
  if (!engine.ready()) {
    const Status draining = draining_status();
    if (caller.health_json) {
      auto body = health_json_body(config->health_json.fields(caller.redacted), draining, {}, {},
                                   caller.redacted, std::chrono::system_clock::now());
      auto response = health_json_response(draining, std::move(body));
      response.status = 503;
      add_vary(response, true);
      done(std::move(response));
      return;
    }
    auto response = json_response(503, status_body(api, draining));
    add_vary(response, caller.negotiated);
    done(std::move(response));
    return;
  }
  // Contract: "aggregate", with ?type=internal|external filtering by the endpoint's type.
  if (!type.empty() && type != "internal" && type != "external") {
    // A caller's typo is not the service's health: with status codes opted in it is a 400 (a
    // probe with a bad URL must not mark the instance down for ever); without, the reference's
    // 200.
    const int code = config->options.status_codes.empty() ? 200 : 400;
    auto response =
        crit_response(api, code, "Invalid type", "Unknown check type given for aggregate check");
    add_vary(response, caller.negotiated);
    done(std::move(response));
    return;
  }
  // ?tag= is ours (the reference has none): a tag no dependency carries is always a 400, as an
  // empty group answering OK would hide a typo in a probe's URL.
  for (const auto& tag : tags) {
    if (std::find(config->tags.begin(), config->tags.end(), tag) != config->tags.end()) continue;
    std::string known;
    for (const auto& t : config->tags) known += (known.empty() ? "" : ", ") + t;
    std::string details = "no dependency has the tag '" + tag.substr(0, 64) + "'";
    if (!caller.redacted) {  // the group names are details too
      details += known.empty() ? "; none has a tag" : "; known tags: " + known;
    }
    auto response = crit_response(api, 400, "Unknown tag", std::move(details));
    add_vary(response, caller.negotiated);
    done(std::move(response));
    return;
  }
  const bool every = type.empty();
  const bool internal = type == "internal";
  const auto selected = [&](const EndpointState& state) {
    if (!every && state.internal() != internal) return false;
    if (tags.empty()) return true;
    const auto& own = state.endpoint().tags;
    return std::any_of(tags.begin(), tags.end(), [&](const std::string& tag) {
      return std::find(own.begin(), own.end(), tag) != own.end();
    });
  };
  const auto& endpoints = engine.endpoints();
  if (caller.health_json) {
    std::vector<EndpointState*> states;
    for (const auto& state : endpoints) {
      if (selected(*state)) states.push_back(state.get());
    }
    return answer_health_json(config, std::move(states), caller, std::move(done));
  }

  // Polled many times a second with cached or background checks: when every result is in
  // memory, answer from levels alone, copying only the status that is shown. Unfiltered, the
  // levels' verdict is kept until a result changes or expires.
  const auto now = Clock::now();
  const bool filtered = !every || !tags.empty();  // probes mostly ask for every dependency
  Glance glance;
  bool remembered =
      !filtered && recall(config->aggregate_memo, engine.results_generation(), now, glance);
  if (!remembered) {
    const auto generation = engine.results_generation();  // before the results it covers
    remembered = true;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      const EndpointState& state = *endpoints[i];
      if (filtered && !selected(state)) continue;
      EndpointState::CachedLevel cached;
      if (!state.cached_level(now, cached)) {
        remembered = false;
        break;
      }
      add(glance, i, cached, state.endpoint().critical, now);
    }
    if (remembered && !filtered) keep(config->aggregate_memo, generation, glance);
  }
  if (remembered) {
    const Verdict& verdict = glance.verdict;
    std::optional<Status> shown;
    if (verdict.chosen() == Verdict::none) {
      shown = all_ok_status();
    } else if (auto outcome = endpoints[verdict.chosen()]->cached_outcome(now)) {
      shown = verdict.finish(std::move(outcome->status));
    }
    if (shown) {  // else it expired in between: take the long way
      auto response = json_response(status_code(*config, shown->level),
                                    status_body(api, *shown, caller.redacted));
      CacheHeaders freshness;
      if (glance.any) {
        freshness.add(seconds(std::max(Clock::duration::zero(), glance.fresh_until - now)),
                      seconds(now - glance.oldest));
      }
      freshness.apply(response);
      add_vary(response, caller.negotiated);
      done(std::move(response));
      return;
    }
  }

  std::vector<EndpointState*> states;
  for (const auto& state : endpoints) {
    if (selected(*state)) states.push_back(state.get());
  }
  std::vector<bool> critical;
  for (const auto* state : states) critical.push_back(state->endpoint().critical);
  check_all(
      std::move(states), caller.budget,
      [api, config, critical = std::move(critical), redacted = caller.redacted,
       negotiated = caller.negotiated, done = std::move(done)](std::vector<Outcome>& outcomes) {
        if (any_refused(outcomes)) {
          auto response = busy_response(kRefused);
          add_vary(response, negotiated);
          return done(std::move(response));
        }
        Verdict verdict;
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
          verdict.add(i, outcomes[i].status.level, critical[i]);
        }
        const Status result = verdict.chosen() == Verdict::none
                                  ? all_ok_status()
                                  : verdict.finish(outcomes[verdict.chosen()].status);
        auto response =
            json_response(status_code(*config, result.level), status_body(api, result, redacted));
        cache_headers_of(outcomes).apply(response);
        add_vary(response, negotiated);
        done(std::move(response));
      });
}

void answer_about(Engine& engine, const ConfigPtr& config, Api api, bool check_status,
                  const Caller& caller, Done done) {
  std::vector<EndpointState*> states;
  if (caller.health_json) {
    for (const auto& state : engine.endpoints()) states.push_back(state.get());
    return answer_health_json(config, std::move(states), caller, std::move(done));
  }
  if (check_status && config->remembered && !caller.budget.cycle &&
      answer_about_from_memory(engine, *config, api, caller, done)) {
    return;
  }
  if (check_status) {
    for (const auto& state : engine.endpoints()) states.push_back(state.get());
  }
  Engine* owner = &engine;  // valid in the callback: it runs inline or inside the registry's gate
  check_all(
      std::move(states), caller.budget,
      [api, check_status, owner, config, redacted = caller.redacted, negotiated = caller.negotiated,
       done = std::move(done)](std::vector<Outcome>& outcomes) {
        if (any_refused(outcomes)) {
          auto response = busy_response(kRefused);
          add_vary(response, negotiated);
          return done(std::move(response));
        }
        std::string body = config->about.head(redacted);
        const auto& endpoints = owner->endpoints();
        for (std::size_t i = 0; i < endpoints.size(); ++i) {
          if (i != 0) body += ',';
          const Outcome* outcome = check_status ? &outcomes[i] : nullptr;
          std::optional<Clock::duration> age;
          if (outcome != nullptr && outcome->age) {
            age = std::chrono::round<Clock::duration>(std::chrono::duration<double>(*outcome->age));
          }
          append_about_dependency(
              body, config->about_entries[i], outcome != nullptr ? &outcome->status : nullptr,
              outcome != nullptr ? outcome->duration : Clock::duration{}, age, api, redacted);
        }
        body += *config->about.tail(redacted);
        auto response = json_response(200, std::move(body));
        cache_headers_of(outcomes).apply(response);
        add_vary(response, negotiated);
        done(std::move(response));
      });
}

void answer_dependency(const ConfigPtr& config, Api api, EndpointState& state, const Caller& caller,
                       Done done) {
  state.request_outcome(caller.budget, [api, config, redacted = caller.redacted,
                                        done = std::move(done)](Outcome outcome) {
    if (outcome.refused) return done(busy_response(kRefused));
    auto response = json_response(status_code(*config, outcome.status.level),
                                  status_body(api, outcome.status, redacted));
    CacheHeaders freshness;
    freshness.add(outcome.fresh_for, outcome.age);
    freshness.apply(response);
    done(std::move(response));
  });
}

}  // namespace healthchecks::detail
