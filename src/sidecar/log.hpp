// The sidecar's log on standard output: a line when it starts and stops, one per level change
// of a dependency, and one when a check times out or throws (rate-limited per slug); as text
// for people or as JSON lines for log shippers ("log": {"format": "json"} in the config).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "healthchecks/registry.hpp"
#include "sidecar/config.hpp"

namespace healthchecks::sidecar {

/// How many bytes of a status's details a log line keeps.
inline constexpr std::size_t kLogDetailsLimit = 300;

/// "2024-05-01T12:00:00.123Z": UTC, ISO 8601, milliseconds.
std::string log_time(std::chrono::system_clock::time_point when);

/// `details` cut to at most `limit` bytes on a UTF-8 boundary, saying how much was cut.
std::string cut_details(std::string_view details, std::size_t limit = kLogDetailsLimit);

/// `text` with every secret (of at least 4 characters, as RegistryOptions::secrets) as "***".
std::string mask(std::string text, const std::vector<std::string>& secrets);

/// Problems of one slug that were counted instead of logged, told once their period is over.
struct ProblemSummary {
  CheckProblem last;        ///< the latest of them (its slug, name, kind and details)
  std::uint64_t count = 0;  ///< how many were not logged
  std::chrono::steady_clock::duration over{};  ///< since the slug's previous line
};

// One line each, without its newline. Text lines start with the time (start and stop read as
// they always have); JSON lines are objects {"time", "level", "event", ...} in that order.
std::string format_change(LogFormat format, const StatusChange& change);
std::string format_problem(LogFormat format, const CheckProblem& problem);
std::string format_problem_summary(LogFormat format, const ProblemSummary& summary,
                                   std::chrono::system_clock::time_point when);
std::string format_start(LogFormat format, std::chrono::system_clock::time_point when,
                         const std::string& id, const std::string& url, std::size_t checks);
/// The "grpc" key's server: "serving grpc.health.v1.Health at 127.0.0.1:9090", after the
/// start line.
std::string format_grpc_start(LogFormat format, std::chrono::system_clock::time_point when,
                              const std::string& address);
std::string format_stop(LogFormat format, std::chrono::system_clock::time_point when,
                        const std::string& reason);
std::string format_dropped(LogFormat format, std::chrono::system_clock::time_point when,
                           std::uint64_t lines);
/// On SIGTERM with "drainMs": aggregate answers 503 from now on, and the sidecar stops after
/// `drain` (or at the next SIGTERM or SIGINT).
std::string format_drain(LogFormat format, std::chrono::system_clock::time_point when,
                         const std::string& reason, std::chrono::milliseconds drain);
/// After SIGHUP: the TLS files were read again (`error` empty), or they were not and the old
/// ones stay (`error` says why).
std::string format_tls_reload(LogFormat format, std::chrono::system_clock::time_point when,
                              const std::string& error);

/// Rate limit of problem lines: per slug, the first problem is logged; the ones that follow
/// within `period` are counted, and told as one summary when the period is over; then the
/// next period begins. A slug with no problem for a whole period starts afresh. Not
/// thread-safe; time is given by the caller.
class ProblemLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ProblemLimiter(Clock::duration period = std::chrono::seconds(60)) : period_(period) {}

  /// True: log `problem` now. False: it was counted for a later summary. Call due() first, so
  /// that an ended period is summarised before a new one begins.
  bool offer(const CheckProblem& problem, Clock::time_point now);
  /// Summaries of the periods over by `now` that counted problems, by slug.
  std::vector<ProblemSummary> due(Clock::time_point now);

 private:
  struct Window {
    Clock::time_point start;
    std::uint64_t count = 0;
    CheckProblem last;
  };
  Clock::duration period_;
  std::map<std::string, Window> windows_;
};

/// Turns the registry's events into lines for a sink, in the order they come. Thread-safe: the
/// registry calls it from its threads, so the sink must not block (see LineWriter).
class Logger {
 public:
  using Sink = std::function<void(std::string line)>;
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit Logger(LogOptions options, Sink sink, Clock clock = &std::chrono::steady_clock::now,
                  std::chrono::steady_clock::duration problem_period = std::chrono::seconds(60));

  LogFormat format() const noexcept { return options_.format; }
  /// Values no line may show, as in RegistryOptions::secrets (the registry masks statuses
  /// already; this covers the rest of an event, such as a check's name). Call it before use.
  void mask_secrets(std::vector<std::string> secrets) { secrets_ = std::move(secrets); }
  /// For RegistryOptions::on_change.
  void change(const StatusChange& change);
  /// For RegistryOptions::on_problem: logged, or counted (see ProblemLimiter).
  void problem(const CheckProblem& problem);
  /// Writes the summaries that are due; call it now and then (LineWriter's thread does).
  void tick();
  /// Writes `line` as it is (start and stop lines).
  void write(std::string line);
  /// From now on, lines go nowhere (events that arrive during shutdown); with `last`, that line
  /// is written first, so that nothing follows it (the stop line).
  void close(std::string last = {});

 private:
  void summaries(std::chrono::steady_clock::time_point now);

  LogOptions options_;
  std::vector<std::string> secrets_;
  Clock clock_;
  std::mutex mutex_;
  Sink sink_;
  ProblemLimiter limiter_;
};

}  // namespace healthchecks::sidecar
