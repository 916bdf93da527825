#include "detail/runtime.hpp"

#include <boost/asio/post.hpp>

#include "detail/runtime_impl.hpp"

namespace healthchecks::detail {

void Timer::cancel() const {
  if (!state_) return;
  auto state = state_;
  asio::post(state->timer.get_executor(), [state] { state->timer.cancel(); });
}

Runtime::Impl::Impl(unsigned io_threads, std::size_t max_blocking_threads)
    : work_(io_.get_executor()),
      timer_strand_(asio::make_strand(io_.get_executor())),
      pool_(max_blocking_threads) {
  if (io_threads == 0) io_threads = 1;
  threads_.reserve(io_threads);
  for (unsigned i = 0; i < io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
}

Runtime::Impl::~Impl() {
  stop();
}

void Runtime::Impl::stop() {
  pool_.stop();
  work_.reset();
  io_.stop();
  for (auto& thread : threads_) {
    if (!thread.joinable()) continue;
    // Destroying the registry from one of its own callbacks is documented as unsupported;
    // detaching at least avoids std::terminate on a self-join.
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();
    } else {
      thread.join();
    }
  }
  threads_.clear();
  std::lock_guard<std::mutex> lock(services_mutex_);
  services_.clear();
}

Runtime::Runtime(unsigned io_threads, std::size_t max_blocking_threads)
    : impl_(std::make_unique<Impl>(io_threads, max_blocking_threads)) {}

Runtime::~Runtime() = default;

void Runtime::post(std::function<void()> fn) {
  asio::post(impl_->io_, std::move(fn));
}

void Runtime::post_blocking(std::function<void()> fn) {
  impl_->pool_.post(std::move(fn));
}

Timer Runtime::schedule(Clock::time_point at, std::function<void()> fn) {
  auto state = std::make_shared<Timer::State>(impl_->timer_strand_);
  state->timer.expires_at(at);
  // The handler holds the state so that a dropped handle does not cancel the wait.
  state->timer.async_wait([state, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec) fn();
  });
  return Timer(std::move(state));
}

}  // namespace healthchecks::detail
