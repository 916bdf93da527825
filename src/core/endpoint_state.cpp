// EndpointState: requests for an outcome, the executions they share, and the results they get.
#include "core/endpoint_state.hpp"

#include <algorithm>

#include "core/completion.hpp"
#include "core/engine.hpp"
#include "util/text.hpp"

namespace healthchecks::detail {
namespace {
double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}
}  // namespace

EndpointState::EndpointState(StatusEndpoint endpoint, std::chrono::milliseconds timeout,
                             Engine& core)
    : endpoint_(std::move(endpoint)),
      internal_(endpoint_.type.is_internal()),
      timeout_(timeout),
      max_stale_(endpoint_.max_stale ? endpoint_.max_stale
                 : endpoint_.interval.count() > 0
                     ? std::optional<std::chrono::milliseconds>(2 * endpoint_.interval + timeout)
                     : std::nullopt),
      engine_(core),
      shown_(Status::ok(endpoint_.name, {})) {}

std::shared_ptr<Gate> EndpointState::gate() const {
  return engine_.gate();
}

void EndpointState::request_outcome(const Budget& budget, OutcomeHandler done) {
  if (budget.cycle && endpoint_.traversable) {
    // The request came back here through a peer: asking that peer again would go round the
    // cycle until the deadline. The peers' state is being checked upstream already.
    done(Outcome{Status::ok(endpoint_.name,
                            "not checked: this request already passed through "
                            "this service (a cycle in the service graph)"),
                 Clock::duration::zero(), std::nullopt, 0});
    return;
  }
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  if (auto memory = usable_outcome(now)) {
    lock.unlock();
    done(std::move(*memory));
    return;
  }
  if (background() && !last_ && engine_.options().first_result == FirstResult::warn) {
    lock.unlock();
    done(Outcome{Status::warn(endpoint_.name,
                              "not checked yet: the first background check "
                              "has not finished"),
                 Clock::duration::zero(), std::nullopt, 0});
    return;
  }
  const auto deadline = std::min(budget.deadline, now + timeout_);
  if (deadline <= now) {
    lock.unlock();
    done(Outcome{Status::crit(endpoint_.name, "not run: the request has no time left"),
                 Clock::duration::zero(), std::nullopt, 0});
    return;
  }
  std::string key = budget.key();
  Execution* execution = find_key(key);
  std::uint64_t launching = 0;
  if (execution == nullptr) {
    if (!key.empty() && !engine_.claim_caller_execution()) {
      // Callers with chains (a flood of made-up ones, say) have taken every slot. A peer's
      // request must not fail for that: it reads the last result obtained without a chain,
      // whatever its age (shown), which nobody's headers chose. Only before any exists, 503.
      Outcome outcome{Status::crit(endpoint_.name,
                                   "not run: too many checks are running for callers' hop "
                                   "chains (max_caller_executions); try again"),
                      Clock::duration::zero(), std::nullopt, 0, true};
      if (last_) outcome = Outcome{shown_, last_->duration, seconds(now - last_->finished), 0};
      lock.unlock();
      done(std::move(outcome));
      return;
    }
    execution =
        &begin_execution(now, std::move(key), budget.hops, budget.chain(engine_.instance_id()));
    launching = execution->id;
  }
  const auto id = ++waiter_seq_;
  waiters_.push_back(Waiter{id, execution->id, std::move(done), now, deadline, Timer{}});
  // The execution's own deadline answers its waiters; a waiter needs a timer of its own only
  // when it has less time, or when it joined a hung execution whose deadline already passed.
  const bool own_timer = deadline < execution->deadline || execution->resolved;
  lock.unlock();
  if (own_timer) arm_waiter_deadline(id, deadline);
  if (launching != 0) launch(launching);
}

EndpointState::Execution* EndpointState::find_execution(std::uint64_t id) {
  for (auto& execution : executions_) {
    if (execution.id == id) return &execution;
  }
  return nullptr;
}

EndpointState::Execution* EndpointState::find_key(const std::string& key) {
  for (auto& execution : executions_) {
    if (execution.key == key) return &execution;
  }
  return nullptr;
}

EndpointState::Execution& EndpointState::begin_execution(Clock::time_point now, std::string key,
                                                         int hops, std::string via) {
  Execution& execution = executions_.emplace_back();
  execution.id = ++exec_seq_;
  execution.key = std::move(key);
  execution.started = now;
  // Always the endpoint's own time-out: a caller in a hurry stops waiting, the check goes on.
  execution.deadline = now + timeout_;
  execution.hops = hops;
  execution.via = std::move(via);
  return execution;
}

void EndpointState::end_execution(std::uint64_t id) {
  for (auto it = executions_.begin(); it != executions_.end(); ++it) {
    if (it->id != id) continue;
    if (!it->key.empty()) engine_.release_caller_execution();
    it->timer.cancel();
    executions_.erase(it);
    return;
  }
}

std::vector<EndpointState::Waiter> EndpointState::take_waiters(std::uint64_t execution) {
  std::vector<Waiter> taken;
  auto kept = waiters_.begin();
  for (auto& waiter : waiters_) {
    if (waiter.execution == execution) {
      taken.push_back(std::move(waiter));
    } else {
      *kept++ = std::move(waiter);
    }
  }
  waiters_.erase(kept, waiters_.end());
  return taken;
}

void EndpointState::answer_waiters(std::uint64_t id, bool shared, Clock::time_point started,
                                   Status status, Clock::time_point now,
                                   std::unique_lock<std::mutex>& lock) {
  auto waiters = take_waiters(id);
  if (status.description.empty()) status.description = endpoint_.name;
  engine_.scrub(status);
  if (shared) return publish(std::move(status), started, now, std::move(waiters), lock);
  // A result made under a caller's chain is that caller's alone: not remembered, not dampened,
  // not told to listeners.
  lock.unlock();
  const Outcome outcome{std::move(status), now - started, std::nullopt, 0};
  for (auto& waiter : waiters) waiter.timer.cancel();
  for (auto& waiter : waiters) waiter.done(outcome);
}

void EndpointState::publish(Status status, Clock::time_point started, Clock::time_point now,
                            std::vector<Waiter> waiters, std::unique_lock<std::mutex>& lock) {
  last_ = Result{status, now, now - started};
  counters_.executions.fetch_add(1, std::memory_order_relaxed);
  if (status.level == Level::crit) counters_.failures.fetch_add(1, std::memory_order_relaxed);
  dampen(status, now);
  update_snapshot();
  double fresh_for = 0;
  if (background()) {
    fresh_for = seconds(endpoint_.interval);
  } else if (endpoint_.cache_ttl.count() > 0) {
    fresh_for = seconds(endpoint_.cache_ttl);
  }
  const Outcome outcome{shown_, last_->duration, std::nullopt, fresh_for};
  const bool changed = !changes_.empty();
  lock.unlock();

  if (background()) schedule_refresh(now + endpoint_.interval);
  for (auto& waiter : waiters) waiter.timer.cancel();
  // Listeners and the history hear of a change before anybody sees it in an answer.
  if (changed) deliver_changes();
  for (auto& waiter : waiters) waiter.done(outcome);
}

void EndpointState::start_background() {
  schedule_refresh(Clock::now());
}

void EndpointState::schedule_refresh(Clock::time_point at) {
  auto self = shared_from_this();
  auto gate = engine_.gate();
  std::unique_lock<std::mutex> lock(mutex_);
  // Scheduled with mutex_ held: a refresh that fires at once (and schedules the next) needs
  // mutex_, so it cannot install its timer before this one is in place; scheduled outside,
  // this call could swap its spent timer over the next one and cancel that, ending the chain.
  Timer timer = engine_.runtime().schedule(at, [self, gate] {
    GateEntry in(*gate);
    if (in) self->refresh();
  });
  next_refresh_ = at;
  update_snapshot();
  std::swap(refresh_timer_, timer);
  lock.unlock();
  timer.cancel();  // the one it replaces, so that there is one refresh chain
}

void EndpointState::refresh() {
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  if (find_key({}) != nullptr) {  // a request's execution, or a hung one: look again later
    lock.unlock();
    schedule_refresh(now + endpoint_.interval);
    return;
  }
  const auto id = begin_execution(now, {}, 0, engine_.instance_id()).id;
  lock.unlock();
  launch(id);
}

}  // namespace healthchecks::detail
