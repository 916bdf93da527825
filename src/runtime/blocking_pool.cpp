#include "runtime/blocking_pool.hpp"

#include <thread>
#include <utility>

namespace healthchecks::detail {

BlockingPool::BlockingPool(std::size_t max_threads, std::chrono::seconds idle_exit)
    : shared_(std::make_shared<Shared>()),
      max_threads_(max_threads == 0 ? 1 : max_threads),
      idle_exit_(idle_exit) {}

BlockingPool::~BlockingPool() {
  stop();
}

void BlockingPool::post(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(shared_->mutex);
  if (shared_->stopping) return;
  shared_->queue.push_back(std::move(fn));
  if (shared_->idle >= shared_->queue.size()) {
    shared_->wake.notify_one();
    return;
  }
  if (shared_->threads >= max_threads_) return;  // queued until a worker is free
  ++shared_->threads;
  lock.unlock();
  // Detached: a worker may sit in a hung check forever; it owns what it touches (shared_).
  std::thread([shared = shared_, idle_exit = idle_exit_] { work(shared, idle_exit); }).detach();
}

void BlockingPool::work(const std::shared_ptr<Shared>& shared, std::chrono::seconds idle_exit) {
  std::unique_lock<std::mutex> lock(shared->mutex);
  for (;;) {
    if (shared->queue.empty() && !shared->stopping) {
      ++shared->idle;
      const bool woken = shared->wake.wait_for(
          lock, idle_exit, [&] { return !shared->queue.empty() || shared->stopping; });
      --shared->idle;
      if (!woken) break;
    }
    if (shared->stopping) break;
    std::function<void()> fn = std::move(shared->queue.front());
    shared->queue.pop_front();
    lock.unlock();
    fn();          // tasks catch their own exceptions
    fn = nullptr;  // release captures outside the lock
    lock.lock();
  }
  --shared->threads;
}

void BlockingPool::stop() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->stopping = true;
    dropped.swap(shared_->queue);
  }
  shared_->wake.notify_all();
}

std::size_t BlockingPool::threads() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->threads;
}

}  // namespace healthchecks::detail
