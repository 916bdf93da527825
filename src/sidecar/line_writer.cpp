#include "sidecar/line_writer.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

namespace healthchecks::sidecar {

using std::chrono::steady_clock;

LineWriter::LineWriter(int fd, std::size_t max_queued,
                       std::function<std::string(std::uint64_t)> dropped_line)
    : fd_(fd), max_queued_(max_queued), dropped_line_(std::move(dropped_line)) {}

LineWriter::~LineWriter() {
  stop();
}

void LineWriter::start(std::function<void()> tick, std::chrono::milliseconds tick_every) {
  tick_ = std::move(tick);
  tick_every_ = tick_every;
  thread_ = std::thread([this] { run(); });
}

void LineWriter::push(std::string line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return;  // after the stop line
  if (queue_.size() >= max_queued_) {
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(line));
  wake_.notify_one();
}

void LineWriter::release(std::string first) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_front(std::move(first));
  held_ = false;
  wake_.notify_one();
}

void LineWriter::stop(std::chrono::milliseconds patience) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    held_ = false;
    give_up_ = steady_clock::now() + patience;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void LineWriter::run() {
  // A reader that went away must read as an error from write(), not kill the process.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);

  std::unique_lock<std::mutex> lock(mutex_);
  auto next_tick = steady_clock::now() + tick_every_;
  bool broken = false;
  for (;;) {
    if (!held_ && (!queue_.empty() || dropped_ > 0)) {
      std::string batch;
      while (!queue_.empty() && batch.size() < 65536) {
        batch += queue_.front();
        batch += '\n';
        queue_.pop_front();
      }
      if (queue_.empty() && dropped_ > 0) {
        if (dropped_line_) batch += dropped_line_(dropped_) + '\n';
        dropped_ = 0;
      }
      if (broken) continue;
      lock.unlock();
      broken = !write_all(batch);
      lock.lock();
      continue;
    }
    if (stopping_) return;
    const auto now = steady_clock::now();
    if (tick_ && now >= next_tick) {
      next_tick = now + tick_every_;
      lock.unlock();
      tick_();
      lock.lock();
      continue;
    }
    if (tick_) {
      wake_.wait_until(lock, next_tick);
    } else {
      wake_.wait(lock);
    }
  }
}

bool LineWriter::write_all(const std::string& text) {
  std::size_t offset = 0;
  while (offset < text.size()) {
    pollfd fd{fd_, POLLOUT, 0};
    const int ready = poll(&fd, 1, 100);
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_ && steady_clock::now() >= give_up_) return false;
      continue;
    }
    if ((fd.revents & (POLLERR | POLLNVAL)) != 0) return false;
    // At most PIPE_BUF at a time: a pipe that polled writable takes that much without blocking.
    const auto chunk = std::min<std::size_t>(text.size() - offset, PIPE_BUF);
    const auto n = ::write(fd_, text.data() + offset, chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    offset += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace healthchecks::sidecar
