#include "healthchecks/testing.hpp"

#include <condition_variable>
#include <exception>
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

Status threw_status() {
  try {
    throw;
  } catch (const std::exception& e) {
    return Status::crit(std::string("check threw: ") + e.what());
  } catch (...) {
    return Status::crit("check threw an exception that is not a std::exception");
  }
}

}  // namespace

Completion make_completion(std::function<void(Status)> sink) {
  return detail::CompletionState::make(std::move(sink));
}

Status run_once(const Check& check, std::chrono::milliseconds timeout) {
  if (!check) return Status::crit("no check");
  auto outcome = std::make_shared<Outcome>();
  detail::Runtime runtime(1, 4);
  CheckContext context;
  context.started = detail::Clock::now();
  context.deadline = context.started + timeout;
  context.runtime = &runtime;
  if (check.is_async()) {
    Completion done =
        make_completion([outcome](Status status) { outcome->set(std::move(status)); });
    try {
      check.async_function()(context, done);
    } catch (...) {
      done(threw_status());
    }
  } else {
    // A copy of the function: a check still running at the deadline may outlive `check`.
    runtime.post_blocking([sync = check.sync_function(), context, outcome] {
      try {
        outcome->set(sync(context));
      } catch (...) {
        outcome->set(threw_status());
      }
    });
  }
  std::unique_lock<std::mutex> lock(outcome->mutex);
  if (!outcome->answered.wait_until(lock, context.deadline,
                                    [&] { return outcome->status.has_value(); })) {
    outcome->status = Status::crit("timed out after " + detail::format_ms(timeout));
  }
  return *outcome->status;
}

}  // namespace healthchecks
