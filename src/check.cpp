#include "healthchecks/check.hpp"

#include "detail/completion.hpp"

namespace healthchecks {

std::chrono::milliseconds CheckContext::time_left() const {
  const auto now = std::chrono::steady_clock::now();
  if (deadline <= now) return std::chrono::milliseconds(0);
  if (deadline == std::chrono::steady_clock::time_point::max()) {
    return std::chrono::milliseconds::max();
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
}

void Completion::operator()(Status status) const {
  if (state_) state_->complete(std::move(status));
}

namespace detail {

void CompletionState::complete(Status status) {
  if (done_.exchange(true)) return;
  sink_(std::move(status));
}

CompletionState::~CompletionState() {
  if (done_.exchange(true)) return;
  try {
    sink_(Status::crit({}, "check finished without reporting a status"));
  } catch (...) {  // a destructor must not throw; the deadline still answers the request
  }
}

}  // namespace detail
}  // namespace healthchecks
