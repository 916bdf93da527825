#include "healthchecks/testing.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "core/completion.hpp"
#include "runtime/runtime.hpp"
#include "util/text.hpp"

namespace healthchecks {
namespace {

// Where the answer lands: shared, because a late answer may come after run_once has returned.
struct Outcome {
  std::mutex mutex;
  std::condition_variable answered;
  std::optional<Status> status;

  void set(Status s) {
    std::lock_guard<std::mutex> lock(mutex);
    if (status) return;
    status = std::move(s);
    answered.notify_all();
  }
};

}  // namespace

Completion make_completion(std::function<void(Status)> sink) {
  return detail::CompletionState::make(std::move(sink));
}

Status run_once(const Check& check, std::chrono::milliseconds timeout) {
  if (!check) return Status::crit("no check");
  auto outcome = std::make_shared<Outcome>();
  // Shared with a blocking check that is still running at the deadline, so that its context's
  // runtime stays valid until it returns.
  auto runtime = std::make_shared<detail::Runtime>(1, 4);
  CheckContext context;
  context.started = detail::Clock::now();
  context.deadline = context.started + timeout;
  context.runtime = runtime.get();
  if (check.is_async()) {
    Completion done =
        make_completion([outcome](Status status) { outcome->set(std::move(status)); });
    try {
      check.async_function()(context, done);
    } catch (...) {
      done(Status::crit(detail::current_exception_text("check")));
    }
  } else {
    // A copy of the function: a check still running at the deadline may outlive `check`.
    runtime->post_blocking([sync = check.sync_function(), context, outcome, runtime] {
      try {
        outcome->set(sync(context));
      } catch (...) {
        outcome->set(Status::crit(detail::current_exception_text("check")));
      }
    });
  }
  std::unique_lock<std::mutex> lock(outcome->mutex);
  if (!outcome->answered.wait_until(lock, context.deadline,
                                    [&] { return outcome->status.has_value(); })) {
    outcome->status = Status::crit(detail::timed_out_text(timeout));
  }
  return *outcome->status;
}

}  // namespace healthchecks
