#include "runtime/runtime.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "runtime/runtime_impl.hpp"

namespace healthchecks::detail {

void Timer::cancel() const {
  if (!entry_) return;
  if (TimerQueue* queue = entry_->queue.load()) queue->cancel(*entry_);
}

std::shared_ptr<Timer::Entry> TimerQueue::schedule(Clock::time_point at, std::function<void()> fn) {
  auto entry = std::make_shared<Timer::Entry>();
  entry->at = at;
  entry->fn = std::move(fn);
  entry->queue = this;
  std::lock_guard<std::mutex> lock(mutex_);
  heap_.push_back(entry);
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  if (at < armed_) arm(at);
  return entry;
}

void TimerQueue::cancel(Timer::Entry& entry) {
  std::function<void()> dropped;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!entry.fn) return;   // ran or cancelled already
  dropped.swap(entry.fn);  // its captures go now, not when the entry is due
  if (++cancelled_ > 64 && cancelled_ > heap_.size() / 2) {
    heap_.erase(std::remove_if(heap_.begin(), heap_.end(), [](const auto& e) { return !e->fn; }),
                heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), Later{});
    cancelled_ = 0;
  }
}

void TimerQueue::arm(Clock::time_point at) {
  armed_ = at;
  timer_.expires_at(at);  // cancels the wait in progress, which then returns aborted
  timer_.async_wait([this](const boost::system::error_code& ec) { on_fire(ec); });
}

void TimerQueue::on_fire(const boost::system::error_code& ec) {
  if (ec == asio::error::operation_aborted) return;  // re-armed for an earlier entry
  std::vector<std::function<void()>> due;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = Clock::now();
    while (!heap_.empty() && heap_.front()->at <= now) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      auto entry = std::move(heap_.back());
      heap_.pop_back();
      entry->queue = nullptr;
      if (!entry->fn) {  // cancelled
        if (cancelled_ > 0) --cancelled_;
        continue;
      }
      due.push_back(std::move(entry->fn));
      entry->fn = nullptr;
    }
    armed_ = Clock::time_point::max();
    if (!heap_.empty()) arm(heap_.front()->at);
  }
  for (auto& fn : due) fn();
}

void TimerQueue::clear() {
  std::vector<std::shared_ptr<Timer::Entry>> dropped;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& entry : heap_) {
    entry->queue = nullptr;  // handles kept elsewhere must not reach a queue that is gone
    entry->fn = nullptr;
  }
  heap_.swap(dropped);
  timer_.cancel();
}

Runtime::Impl::Impl(unsigned io_threads, std::size_t max_blocking_threads)
    : work_(io_.get_executor()), timers_(io_), pool_(max_blocking_threads) {
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
  timers_.clear();
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
  return Timer(impl_->timers_.schedule(at, std::move(fn)));
}

}  // namespace healthchecks::detail
