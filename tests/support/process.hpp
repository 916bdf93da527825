// A child process for integration tests: started with fork/exec, its stdout and stderr read
// line by line, killed and reaped when the object goes.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace healthchecks::testing {

class Process {
 public:
  /// Starts argv[0] (a path) with argv; with `merge_stderr`, read_line() sees both streams.
  explicit Process(std::vector<std::string> argv, bool merge_stderr = false);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  /// The next line of standard output, or nullopt at end of output or time-out.
  std::optional<std::string> read_line(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Everything the process wrote to standard error so far (waits for it to close).
  std::string read_stderr(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Sends `signal` (SIGTERM by default).
  void kill(int signal = 15);
  /// Waits for the exit; the exit code, 128 + signal, or nullopt on time-out.
  std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string out_buffer_;
  std::optional<int> status_;
};

/// Waits for a healthchecks-sidecar's "serving" line and returns the port it announced.
unsigned short wait_until_serving(Process& sidecar);

}  // namespace healthchecks::testing
