#include "support/command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace healthchecks::testing {
namespace {

std::string read_until_closed(int fd, std::chrono::steady_clock::time_point deadline,
                              bool& timed_out) {
  std::string out;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      return out;
    }
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

// The fingerprint line of `openssl x509 -fingerprint`: "sha256 Fingerprint=AB:CD...".
std::string fingerprint_in(const std::string& output) {
  const auto at = output.find("Fingerprint=");
  if (at == std::string::npos) return {};
  const auto start = at + 12;
  return output.substr(start, output.find('\n', start) - start);
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, int timeout_seconds,
                          const std::string& input) {
  int out[2];
  int in[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  if (!input.empty()) (void)::write(in[1], input.data(), input.size());
  ::close(in[1]);
  CommandResult result;
  bool timed_out = false;
  result.output = read_until_closed(
      out[0], std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds), timed_out);
  ::close(out[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) {
    result.exit_code = 124;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

std::string certificate_fingerprint(const std::string& cert_file) {
  return fingerprint_in(
      run_command({"openssl", "x509", "-in", cert_file, "-noout", "-fingerprint", "-sha256"})
          .output);
}

std::string served_fingerprint(unsigned short port) {
  const auto served = run_command({"openssl", "s_client", "-connect",
                                   "127.0.0.1:" + std::to_string(port), "-servername", "localhost"},
                                  20, "Q\n");
  const auto begin = served.output.find("-----BEGIN CERTIFICATE-----");
  const auto end = served.output.find("-----END CERTIFICATE-----");
  if (begin == std::string::npos || end == std::string::npos) return {};
  const std::string pem = served.output.substr(begin, end + 25 - begin) + "\n";
  return fingerprint_in(
      run_command({"openssl", "x509", "-noout", "-fingerprint", "-sha256"}, 20, pem).output);
}

}  // namespace healthchecks::testing
