// Asio side of Runtime, for the few sources that do network I/O on the registry's threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "runtime/blocking_pool.hpp"
#include "runtime/runtime.hpp"

namespace healthchecks::detail {

namespace asio = boost::asio;

// One scheduled call. `fn` is emptied (under the queue's mutex) when it runs or is cancelled:
// an entry in the heap with an empty `fn` is a cancelled one.
struct Timer::Entry {
  Clock::time_point at;
  std::function<void()> fn;
  // Null once the entry has run or its queue was cleared: then cancel() has nothing to do.
  std::atomic<class TimerQueue*> queue{nullptr};
};

// Every timer of a runtime on one Asio timer, armed for the earliest entry. Cancelled entries
// stay in the heap until they are due or until they outnumber the live ones, when the heap is
// rebuilt without them.
class TimerQueue {
 public:
  explicit TimerQueue(asio::io_context& io) : timer_(io) {}
  std::shared_ptr<Timer::Entry> schedule(Clock::time_point at, std::function<void()> fn);
  void cancel(Timer::Entry& entry);
  /// Drops every entry (and what they captured); the Asio timer goes with the queue.
  void clear();

 private:
  struct Later {
    bool operator()(const std::shared_ptr<Timer::Entry>& a,
                    const std::shared_ptr<Timer::Entry>& b) const {
      return a->at > b->at;
    }
  };
  void arm(Clock::time_point at);  // with mutex_ held
  void on_fire(const boost::system::error_code& ec);

  std::mutex mutex_;
  asio::steady_timer timer_;  // only touched with mutex_ held
  Clock::time_point armed_ = Clock::time_point::max();
  std::vector<std::shared_ptr<Timer::Entry>> heap_;
  std::size_t cancelled_ = 0;
};

class Runtime::Impl {
 public:
  Impl(unsigned io_threads, std::size_t max_blocking_threads);
  ~Impl();

  asio::io_context& io() noexcept { return io_; }
  /// The executor for a new I/O object: a strand of its own when several threads run the
  /// io_context, the io_context itself when one does (strands cost on every operation).
  asio::any_io_executor executor() {
    if (threads_.size() > 1) return asio::make_strand(io_);
    return io_.get_executor();
  }

  /// One shared object per type, made on first use and destroyed with the runtime before the
  /// io_context (network clients keep their pooled connections here).
  template <class T>
  T& service() {
    std::lock_guard<std::mutex> lock(services_mutex_);
    auto& slot = services_[std::type_index(typeid(T))];
    if (!slot) slot = std::shared_ptr<void>(std::make_shared<T>(*this));
    return *static_cast<T*>(slot.get());
  }

 private:
  friend class Runtime;
  void stop();

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  TimerQueue timers_;
  std::vector<std::thread> threads_;
  BlockingPool pool_;
  std::mutex services_mutex_;
  std::unordered_map<std::type_index, std::shared_ptr<void>> services_;
};

}  // namespace healthchecks::detail
