// Standard output for the sidecar's log, written on a thread of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace healthchecks::sidecar {

/// Writes lines to a file descriptor on a thread of its own, so that a reader of standard
/// output that falls behind never holds up the threads that report. Lines wait until release()
/// (so the "serving" line comes first); at most `max_queued` wait, later ones are dropped and
/// counted (told by `dropped_line`).
class LineWriter {
 public:
  LineWriter(int fd, std::size_t max_queued,
             std::function<std::string(std::uint64_t dropped)> dropped_line);
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  /// Starts the thread; `tick` (if any) runs on it about every `tick_every`.
  void start(std::function<void()> tick = {},
             std::chrono::milliseconds tick_every = std::chrono::seconds(1));
  void push(std::string line);
  /// Writes `first`, then every line held so far, then lines as they come.
  void release(std::string first);
  /// Writes what is queued (for at most `patience`, for a reader that stopped reading), then
  /// stops the thread. The destructor does this with 2 s.
  void stop(std::chrono::milliseconds patience = std::chrono::seconds(2));

 private:
  void run();
  /// False when the descriptor fails, or when stopping and past the patience.
  bool write_all(const std::string& text);

  int fd_;
  std::size_t max_queued_;
  std::function<std::string(std::uint64_t)> dropped_line_;
  std::function<void()> tick_;
  std::chrono::milliseconds tick_every_{1000};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::uint64_t dropped_ = 0;
  bool held_ = true;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point give_up_;
  std::thread thread_;
};

}  // namespace healthchecks::sidecar
