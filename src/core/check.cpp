#include "healthchecks/check.hpp"

#include "core/budget.hpp"
#include "core/completion.hpp"
#include "runtime/runtime.hpp"

namespace healthchecks {

std::chrono::milliseconds CheckContext::time_left() const {
  const auto now = std::chrono::steady_clock::now();
  if (deadline <= now) return std::chrono::milliseconds(0);
  if (deadline == std::chrono::steady_clock::time_point::max()) {
    return std::chrono::milliseconds::max();
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
}

std::vector<std::pair<std::string, std::string>> CheckContext::forward_headers() const {
  std::vector<std::pair<std::string, std::string>> headers;
  detail::for_each_hop_header(*this, [&headers](const char* name, const std::string& value) {
    headers.emplace_back(name, value);
  });
  return headers;
}

bool CheckContext::schedule(std::chrono::steady_clock::time_point at,
                            std::function<void()> fn) const {
  if (runtime == nullptr) return false;
  runtime->schedule(at, std::move(fn));  // the Timer handle is dropped: no cancel
  return true;
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
    sink_(Status::crit("check finished without reporting a status"));
  } catch (...) {  // a destructor must not throw; the deadline still answers the request
  }
}

}  // namespace detail
}  // namespace healthchecks
