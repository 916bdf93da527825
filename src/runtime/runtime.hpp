// The threads a registry runs checks on: Asio I/O threads (timers, network checks) and a pool
// that grows for blocking checks. This header keeps Asio out of the core; runtime_impl.hpp has it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace healthchecks::detail {

using Clock = std::chrono::steady_clock;

/// The deadline a network check sets on its own I/O: a little before the execution's, so that
/// the check reports what it was doing ("timed out ... while connecting to db:5432") rather than
/// the registry's bare "timed out after N ms".
inline Clock::time_point probe_deadline(Clock::time_point deadline) {
  const auto now = Clock::now();
  if (deadline <= now || deadline == Clock::time_point::max()) return deadline;
  const Clock::duration margin =
      std::min<Clock::duration>(std::chrono::milliseconds(20), (deadline - now) / 10);
  return deadline - margin;
}

/// A handle on a scheduled call. Dropping it does not cancel; cancel() does (from any thread),
/// and releases what the call captured. It owns no Asio object, so it may outlive the runtime.
class Timer {
 public:
  struct Entry;
  Timer() = default;
  explicit Timer(std::shared_ptr<Entry> entry) : entry_(std::move(entry)) {}
  void cancel() const;
  explicit operator bool() const noexcept { return static_cast<bool>(entry_); }

 private:
  std::shared_ptr<Entry> entry_;
};

class Runtime {
 public:
  class Impl;

  Runtime(unsigned io_threads, std::size_t max_blocking_threads);
  /// Stops the I/O threads (joining them) and the pool (busy workers finish on their own).
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Runs `fn` on an I/O thread. `fn` must not block.
  void post(std::function<void()> fn);
  /// Runs `fn` on a pool thread, which may block. The pool grows up to its maximum; beyond it
  /// work queues.
  void post_blocking(std::function<void()> fn);
  /// Runs `fn` on an I/O thread at `at`, unless cancelled first.
  Timer schedule(Clock::time_point at, std::function<void()> fn);

  /// For the code that speaks Asio (runtime_impl.hpp).
  Impl& impl() noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace healthchecks::detail
