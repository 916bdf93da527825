#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <thread>

namespace healthchecks::testing {

Process::Process(std::vector<std::string> argv, bool merge_stderr) {
  int out[2];
  int err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(merge_stderr ? out[1] : err[1], 2);
    close(out[0]);
    close(err[0]);
    close(out[1]);
    close(err[1]);
    // The test runner may block signals; the child starts clean.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  out_ = out[0];
  err_ = err[0];
}

Process::~Process() {
  if (!status_) {
    kill(SIGKILL);
    wait(std::chrono::seconds(5));
  }
  close(out_);
  close(err_);
}

std::optional<std::string> Process::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto newline = out_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = out_buffer_.substr(0, newline);
      out_buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd fd{out_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char chunk[4096];
    const auto n = read(out_, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    out_buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string Process::read_stderr(std::chrono::milliseconds timeout) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return text;
    pollfd fd{err_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) return text;
    char chunk[4096];
    const auto n = read(err_, chunk, sizeof chunk);
    if (n <= 0) return text;
    text.append(chunk, static_cast<std::size_t>(n));
  }
}

void Process::kill(int signal) {
  if (!status_ && pid_ > 0) ::kill(pid_, signal);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

unsigned short wait_until_serving(Process& sidecar) {
  const auto line = sidecar.read_line();
  if (!line) {
    throw std::runtime_error("sidecar did not start: " +
                             sidecar.read_stderr(std::chrono::seconds(1)));
  }
  // "healthchecks-sidecar: serving 'id' at http://127.0.0.1:PORT/status/ (N checks)", or
  // https:// with "tls"
  const auto at = line->find("://");
  const auto colon = line->find(':', at + 3);
  const auto slash = line->find('/', colon);
  if (at == std::string::npos || colon == std::string::npos || slash == std::string::npos) {
    throw std::runtime_error("unexpected first line: " + *line);
  }
  return static_cast<unsigned short>(std::stoi(line->substr(colon + 1, slash - colon - 1)));
}

}  // namespace healthchecks::testing
