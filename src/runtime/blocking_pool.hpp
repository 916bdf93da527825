// Threads for checks that block. Asio's thread_pool has a fixed size; this one grows on demand
// (a hung check must not starve the others) and shrinks when idle.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace healthchecks::detail {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t max_threads,
                        std::chrono::seconds idle_exit = std::chrono::seconds(30));
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  void post(std::function<void()> fn);
  /// Drops queued work and lets the threads go: idle ones leave at once, busy ones when their
  /// task returns. Never waits for a task.
  void stop();
  /// Threads alive now (for tests).
  std::size_t threads() const;

 private:
  struct Shared {
    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::function<void()>> queue;
    std::size_t idle = 0;
    std::size_t threads = 0;
    bool stopping = false;
  };
  static void work(const std::shared_ptr<Shared>& shared, std::chrono::seconds idle_exit);

  std::shared_ptr<Shared> shared_;
  std::size_t max_threads_;
  std::chrono::seconds idle_exit_;
};

}  // namespace healthchecks::detail
