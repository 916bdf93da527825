// Asio side of Runtime, for the few sources that do network I/O on the registry's threads.
#pragma once

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

#include "detail/blocking_pool.hpp"
#include "detail/runtime.hpp"

namespace healthchecks::detail {

namespace asio = boost::asio;

struct Timer::State {
  explicit State(const asio::strand<asio::io_context::executor_type>& strand) : timer(strand) {}
  asio::steady_timer timer;
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
  // Timers are touched from many threads; all their operations go through this strand.
  asio::strand<asio::io_context::executor_type> timer_strand_;
  std::vector<std::thread> threads_;
  BlockingPool pool_;
  std::mutex services_mutex_;
  std::unordered_map<std::type_index, std::shared_ptr<void>> services_;
};

}  // namespace healthchecks::detail
