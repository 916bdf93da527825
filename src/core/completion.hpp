// The shared state behind Completion: first call wins; if nobody calls, the last copy's
// destruction reports CRIT so that a check cannot silently leave a request waiting.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "healthchecks/check.hpp"

namespace healthchecks::detail {

struct CompletionState {
  explicit CompletionState(std::function<void(Status)> sink) : sink_(std::move(sink)) {}
  ~CompletionState();
  CompletionState(const CompletionState&) = delete;
  CompletionState& operator=(const CompletionState&) = delete;

  void complete(Status status);

  static Completion make(std::function<void(Status)> sink) {
    return Completion(std::make_shared<CompletionState>(std::move(sink)));
  }

 private:
  std::function<void(Status)> sink_;
  std::atomic<bool> done_{false};
};

}  // namespace healthchecks::detail
