// A program run as a check: posix_spawnp without a shell, in a process group of its own (so that
// the deadline kills its children too), output read on Asio, exit collected by polling waitpid.
#include "healthchecks/checks/command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <memory>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>

#include "checks/network_check.hpp"
#include "checks/probe.hpp"
#include "healthchecks/error.hpp"

extern char** environ;

namespace healthchecks::checks {
namespace {

using error_code = boost::system::error_code;
namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::size_t kMaxOutput = 64 * 1024;

// "DISK OK - free space: / 3326 MB | /=2643MB;..." -> "DISK OK - free space: / 3326 MB"
std::string first_line(const std::string& output) {
  std::string line = output.substr(0, output.find('\n'));
  line = line.substr(0, line.find('|'));
  const auto end = line.find_last_not_of(" \t\r");
  return end == std::string::npos ? std::string() : line.substr(0, end + 1);
}

class CommandRun final : public detail::Probe {
 public:
  CommandRun(const CheckContext& context, Completion done, const std::vector<std::string>& argv)
      : Probe(context, std::move(done)), argv_(argv), output_pipe_(executor_), reaper_(executor_) {}

  // A program still running when the registry stops goes with it.
  ~CommandRun() override {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  void start() {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
      return finish(Status::crit(std::string("cannot make a pipe: ") + std::strerror(errno)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // Its own process group, so that the deadline kills the plugin's children too; default
    // signal handling, whatever the sidecar blocks.
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> args;
    for (auto& arg : argv_) args.push_back(arg.data());
    args.push_back(nullptr);
    const int failed = posix_spawnp(&pid_, args[0], &actions, &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(pipe_fds[1]);
    if (failed != 0) {
      close(pipe_fds[0]);
      pid_ = -1;
      return finish(Status::crit("cannot run '" + argv_[0] + "': " + std::strerror(failed)));
    }
    output_pipe_.assign(pipe_fds[0]);
    arm_deadline();
    read_more();
  }

 private:
  void read_more() {
    output_pipe_.async_read_some(
        asio::buffer(chunk_), [self = self_as<CommandRun>()](const error_code& ec, std::size_t n) {
          if (!ec) {
            if (self->output_.size() < kMaxOutput) self->output_.append(self->chunk_.data(), n);
            return self->read_more();
          }
          self->reap();  // end of output: the program closed it, usually by exiting
        });
  }

  // waitpid without blocking, every few milliseconds, until the program has exited.
  void reap() {
    if (finished()) return;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == 0) {
      reaper_.expires_after(5ms);
      reaper_.async_wait([self = self_as<CommandRun>()](const error_code& ec) {
        if (!ec) self->reap();
      });
      return;
    }
    pid_ = -1;
    if (killed_) {
      return finish(Status::crit("'" + argv_[0] + "' " + timed_out() + " (killed)"));
    }
    if (r < 0) return finish(Status::crit("lost '" + argv_[0] + "': " + std::strerror(errno)));
    const std::string said = first_line(output_);
    if (WIFSIGNALED(status)) {
      return finish(Status::crit("'" + argv_[0] + "' was killed by signal " +
                                 std::to_string(WTERMSIG(status)) +
                                 (said.empty() ? "" : ": " + said)));
    }
    const int code = WEXITSTATUS(status);
    const std::string details = said.empty() ? "exit status " + std::to_string(code) : said;
    finish(Status{code == 0 ? Level::ok : code == 1 ? Level::warn : Level::crit, {}, details});
  }

  // At the deadline: kill it, and let reap() report.
  void on_deadline() override {
    if (pid_ <= 0) return;
    killed_ = true;
    ::kill(-pid_, SIGKILL);  // the whole process group
    error_code ignored;
    output_pipe_.cancel(ignored);  // the read ends; reap() collects the exit
  }

  void on_finish() override {
    error_code ignored;
    reaper_.cancel();
    output_pipe_.close(ignored);
  }

  std::vector<std::string> argv_;
  asio::posix::stream_descriptor output_pipe_;
  asio::steady_timer reaper_;
  pid_t pid_ = -1;
  std::array<char, 4096> chunk_{};
  std::string output_;
  bool killed_ = false;
};

}  // namespace

Check command(std::vector<std::string> argv) {
  if (argv.empty() || argv[0].empty()) throw Error("check", "command: argv must name a program");
  return detail::network_check(
      "command", [argv = std::move(argv)](const CheckContext& context, Completion done) {
        std::make_shared<CommandRun>(context, std::move(done), argv)->start();
      });
}

}  // namespace healthchecks::checks
