// EndpointState: running one execution of the check, on the pool or as an asynchronous check,
// and its deadlines (the execution's own, and each waiter's).

#include <algorithm>

#include "core/completion.hpp"
#include "core/engine.hpp"
#include "util/text.hpp"

namespace healthchecks::detail {

bool EndpointState::shared_execution(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const Execution* execution = find_execution(id);
  return execution != nullptr && execution->key.empty();
}

void EndpointState::launch(std::uint64_t id) {
  CheckContext context;
  context.name = endpoint_.name;
  context.slug = endpoint_.slug;
  context.runtime = &engine_.runtime();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const Execution* execution = find_execution(id);
    if (execution == nullptr) return;
    context.started = execution->started;
    context.deadline = execution->deadline;
    context.hops = execution->hops;
    context.via = execution->via;
  }
  const Clock::time_point deadline = context.deadline;
  auto self = shared_from_this();
  auto gate = engine_.gate();

  if (endpoint_.check.is_async()) {
    // Weak: a check that keeps its Completion (in its own state, say) must not keep the
    // endpoint alive through it.
    std::weak_ptr<EndpointState> weak = self;
    Completion completion = CompletionState::make([weak, gate, id](Status status) {
      GateEntry in(*gate);
      if (!in) return;
      if (auto state = weak.lock()) state->finish(id, std::move(status));
    });
    std::string threw;
    try {
      endpoint_.check.async_function()(context, completion);
    } catch (...) {
      threw = current_exception_text("check");
    }
    if (!threw.empty()) {
      if (shared_execution(id)) engine_.problem(endpoint_, CheckProblem::Kind::threw, threw);
      completion(Status::crit(std::move(threw)));
    }
    arm_execution_deadline(id, deadline);
    return;
  }
  arm_execution_deadline(id, deadline);
  engine_.runtime().post_blocking([self, gate, id, context] {
    Status status;
    std::string threw;
    try {
      status = self->endpoint_.check.sync_function()(context);
    } catch (...) {
      threw = current_exception_text("check");
    }
    GateEntry in(*gate);
    if (!in) return;
    if (!threw.empty()) {
      if (self->shared_execution(id)) {
        self->engine_.problem(self->endpoint_, CheckProblem::Kind::threw, threw);
      }
      status = Status::crit(std::move(threw));
    }
    self->finish(id, std::move(status));
  });
}

void EndpointState::arm_execution_deadline(std::uint64_t id, Clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const Execution* execution = find_execution(id);
    if (execution == nullptr || execution->resolved) return;  // answered inline
  }
  auto self = shared_from_this();
  auto gate = engine_.gate();
  Timer timer = engine_.runtime().schedule(deadline, [self, gate, id] {
    GateEntry in(*gate);
    if (in) self->execution_deadline(id);
  });
  std::lock_guard<std::mutex> lock(mutex_);
  Execution* execution = find_execution(id);
  if (execution != nullptr && !execution->resolved) {
    execution->timer = std::move(timer);
  } else {
    timer.cancel();
  }
}

void EndpointState::arm_waiter_deadline(std::uint64_t id, Clock::time_point deadline) {
  auto self = shared_from_this();
  auto gate = engine_.gate();
  Timer timer = engine_.runtime().schedule(deadline, [self, gate, id] {
    GateEntry in(*gate);
    if (in) self->waiter_deadline(id);
  });
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it =
      std::find_if(waiters_.begin(), waiters_.end(), [id](const Waiter& w) { return w.id == id; });
  if (it != waiters_.end()) {
    it->timer = std::move(timer);
  } else {
    timer.cancel();
  }
}

void EndpointState::finish(std::uint64_t id, Status status) {
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  Execution* execution = find_execution(id);
  if (execution == nullptr) return;
  if (execution->resolved) {
    // A late answer: the deadline already reported this execution as timed out, and an answer
    // slower than the deadline is not one to show. Whoever joined it meanwhile gets a new run,
    // under the same key and chain.
    if (std::none_of(waiters_.begin(), waiters_.end(),
                     [id](const Waiter& w) { return w.execution == id; })) {
      end_execution(id);
      return;
    }
    const auto next = ++exec_seq_;
    execution->id = next;
    execution->started = now;
    execution->deadline = now + timeout_;
    execution->resolved = false;
    for (auto& waiter : waiters_) {
      if (waiter.execution == id) waiter.execution = next;
    }
    lock.unlock();
    launch(next);
    return;
  }
  const bool shared = execution->key.empty();
  const auto started = execution->started;
  end_execution(id);
  answer_waiters(id, shared, started, std::move(status), now, lock);
}

void EndpointState::execution_deadline(std::uint64_t id) {
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  Execution* execution = find_execution(id);
  if (execution == nullptr || execution->resolved) return;
  execution->resolved = true;  // still listed: the check holds its thread, if it has one
  execution->timer = Timer{};
  const bool shared = execution->key.empty();
  const auto started = execution->started;
  std::string details = timed_out_text(execution->deadline - execution->started);
  if (shared) {
    counters_.timeouts.fetch_add(1, std::memory_order_relaxed);
    engine_.problem(endpoint_, CheckProblem::Kind::timed_out, details);
  }
  answer_waiters(id, shared, started, Status::crit(endpoint_.name, std::move(details)), now, lock);
}

void EndpointState::waiter_deadline(std::uint64_t id) {
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  const auto it =
      std::find_if(waiters_.begin(), waiters_.end(), [id](const Waiter& w) { return w.id == id; });
  if (it == waiters_.end()) return;
  Waiter waiter = std::move(*it);
  waiters_.erase(it);
  const Execution* execution = find_execution(waiter.execution);
  const bool hung = execution != nullptr && execution->resolved;
  const auto running_for = execution != nullptr ? now - execution->started : Clock::duration{};
  lock.unlock();
  const auto waited = format_ms(waiter.deadline - waiter.arrived);
  std::string details;
  if (hung) {
    details = timed_out_text(waiter.deadline - waiter.arrived) +
              " (an earlier execution, started " + format_ms(running_for) +
              " ago, is still running)";
  } else {
    // The request's own deadline came first: the check goes on for the others.
    details = "timed out waiting after " + waited +
              " (the request's deadline; the check may take " + format_ms(timeout_) + ")";
  }
  waiter.done(Outcome{Status::crit(endpoint_.name, std::move(details)), now - waiter.arrived,
                      std::nullopt, 0});
}

}  // namespace healthchecks::detail
