// What several answers share: running a set of checks together (check_all), and the verdicts
// with no dependency to blame (all OK, draining); and Registry::check_health, built on them.
#include <algorithm>
#include <atomic>

#include "api/answers.hpp"
#include "core/engine.hpp"
#include "healthchecks/health_query.hpp"

namespace healthchecks::detail {

bool any_refused(const std::vector<Outcome>& outcomes) {
  return std::any_of(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return o.refused; });
}

const Status& all_ok_status() {
  static const Status all_ok = Status::ok("Aggregate Check", "All checks are OK");
  return all_ok;
}

Status draining_status() {
  return Status::crit("Draining",
                      "this instance is shutting down and takes no new traffic; it still "
                      "answers am-i-up and the requests it gets");
}

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
    states[i]->request_outcome(budget, [gather, i](Outcome outcome) {
      gather->outcomes[i] = std::move(outcome);
      if (gather->left.fetch_sub(1) == 1) gather->done(gather->outcomes);
    });
  }
}

}  // namespace healthchecks::detail

namespace healthchecks {

void Registry::check_health(HealthQuery query, std::function<void(HealthAnswer)> done) {
  using detail::EndpointState;
  engine_->start();
  HealthAnswer answer;
  if (!query.slug.empty()) {
    auto* state = engine_->find(query.slug);
    if (state == nullptr) {
      answer.outcome = HealthAnswer::Outcome::unknown_slug;
      return done(std::move(answer));
    }
    query.type.clear();
  } else if (!query.type.empty() && query.type != "internal" && query.type != "external") {
    answer.outcome = HealthAnswer::Outcome::bad_type;
    return done(std::move(answer));
  }
  std::vector<EndpointState*> states;
  for (const auto& state : engine_->endpoints()) {
    if (query.slug.empty() ? query.type.empty() || state->internal() == (query.type == "internal")
                           : state->endpoint().slug == query.slug) {
      states.push_back(state.get());
    }
  }
  if (!engine_->ready() && query.slug.empty()) {  // as aggregate: out of rotation, nothing run
    answer.status = detail::draining_status();
    return done(std::move(answer));
  }
  std::vector<const StatusEndpoint*> endpoints;  // live as long as the registry
  for (const auto* state : states) endpoints.push_back(&state->endpoint());
  detail::Budget budget;
  budget.deadline = query.deadline;
  detail::check_all(std::move(states), budget,
                    [endpoints = std::move(endpoints), one = !query.slug.empty(),
                     done = std::move(done)](std::vector<detail::Outcome>& outcomes) {
                      HealthAnswer answer;
                      if (detail::any_refused(outcomes)) {
                        answer.outcome = HealthAnswer::Outcome::busy;
                        return done(std::move(answer));
                      }
                      detail::Verdict verdict;
                      for (std::size_t i = 0; i < outcomes.size(); ++i) {
                        answer.levels.emplace_back(endpoints[i]->slug, outcomes[i].status.level);
                        verdict.add(i, outcomes[i].status.level, endpoints[i]->critical);
                      }
                      if (one) {
                        answer.status = std::move(outcomes.front().status);
                      } else {
                        answer.status = verdict.chosen() == detail::Verdict::none
                                            ? detail::all_ok_status()
                                            : verdict.finish(outcomes[verdict.chosen()].status);
                      }
                      done(std::move(answer));
                    });
}

}  // namespace healthchecks
