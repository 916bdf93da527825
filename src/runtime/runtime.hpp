// The threads a registry runs checks on: Asio I/O threads (timers, network checks) and a pool
// that grows for blocking checks. This header keeps Asio out of the core; runtime_impl.hpp has it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace healthchecks::detail {

using Clock = std::chrono::steady_clock;

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
