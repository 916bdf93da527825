// One dependency inside the engine: its check's executions (single-flight per caller chain,
// deadlines), its remembered result (cache, background refresh, staleness) and its dampened
// level. Definitions by concern: endpoint_state.cpp (requests and results), execution.cpp
// (running the check), freshness.cpp (what memory may answer), dampening.cpp (flapping).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/budget.hpp"
#include "core/gate.hpp"
#include "healthchecks/registry.hpp"
#include "runtime/runtime.hpp"

namespace healthchecks::detail {

/// One check result as a request sees it.
struct Outcome {
  /// The status to show for the endpoint (description filled, flap dampening and staleness
  /// applied).
  Status status;
  /// How long the execution took.
  Clock::duration duration{};
  /// Seconds since the result was produced, when it was answered from memory.
  std::optional<double> age;
  /// Seconds the answer stays fresh (for Cache-Control); 0 when it should not be reused.
  double fresh_for = 0;
  /// Not run: too many executions on behalf of callers' chains are in flight (answer 503).
  bool refused = false;
};

using OutcomeHandler = std::function<void(Outcome)>;

class Engine;

// One dependency: its check's executions, its remembered result, its dampened level.
//
// Executions are shared between callers only when that cannot let one caller change what the
// others see. Callers without hop headers (probes, monitors, background refresh) share one
// execution, and only its results are remembered, dampened and told to listeners. A caller that
// sends hop headers (a peer, or anyone posing as one) has its own execution per chain and hop
// count: its chain still stops cycles, but whatever the chain makes a peer answer goes back to
// that caller alone. A caller's deadline bounds its own wait, never an execution.
class EndpointState : public std::enable_shared_from_this<EndpointState> {
 public:
  EndpointState(StatusEndpoint endpoint, std::chrono::milliseconds timeout, Engine& engine);

  const StatusEndpoint& endpoint() const noexcept { return endpoint_; }
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }

  /// Answers `done` once, inline or later: from memory when fresh, else by joining the running
  /// execution for the caller's key or starting one; at the latest at min(budget deadline,
  /// now + timeout).
  void request_outcome(const Budget& budget, OutcomeHandler done);

  /// Background mode: run now and then every interval.
  void start_background();

  /// What a remembered result says, without copying it: the fast path for answers that only
  /// need levels (aggregate). False when there is no usable result in memory.
  struct CachedLevel {
    Level level = Level::ok;
    Clock::duration age{};
    Clock::duration fresh_for{};
    // How long this glance holds if no new result comes: until the result expires from the
    // cache or turns stale (max() when neither can happen).
    Clock::duration holds_for = Clock::duration::max();
  };
  bool cached_level(Clock::time_point now, CachedLevel& glance) const;
  /// The remembered outcome, if there is a usable one.
  std::optional<Outcome> cached_outcome(Clock::time_point now) const;
  /// The same read in place, for answers that list many dependencies (About): it holds the
  /// endpoint's lock while alive, so render status() and let go.
  struct Remembered {
    std::unique_lock<std::mutex> lock;
    const Status* shown = nullptr;  // the endpoint's own; null when no result is usable
    std::optional<Status> stale;    // the result told as stale, when it is too old
    Clock::duration duration{};
    Clock::duration age{};
    Clock::duration fresh_for{};
    bool usable() const noexcept { return shown != nullptr; }
    const Status& status() const noexcept { return stale ? *stale : *shown; }
  };
  Remembered remembered(Clock::time_point now) const;

  /// What metrics show of the endpoint, read without mutex_ and without running the check.
  /// Only shared executions count (those whose results are remembered, dampened and told to
  /// listeners); executions for callers' hop chains are the callers'.
  struct Counts {
    bool has_result = false;     // false until the first shared execution ended
    Level level = Level::ok;     // the level shown (dampened), at least WARN once stale
    Clock::duration age{};       // since the last result
    Clock::duration duration{};  // of the last execution
    std::uint64_t executions = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t failures = 0;  // results whose own level was CRIT (timeouts and throws too)
    std::uint64_t level_changes = 0;
  };
  Counts counts(Clock::time_point now) const;

  bool internal() const noexcept { return internal_; }

 private:
  struct Waiter {
    std::uint64_t id;
    std::uint64_t execution;  // the id of the execution it waits for
    OutcomeHandler done;
    Clock::time_point arrived;
    Clock::time_point deadline;
    Timer timer;
  };
  // One run of the check, listed until the check returns. Answered (`resolved`) by the check or
  // by its deadline; resolved and still listed is a hung check past its deadline.
  struct Execution {
    std::uint64_t id = 0;
    std::string key;  // "" for the shared execution, else the callers' Budget::key()
    Clock::time_point started;
    Clock::time_point deadline;
    int hops = 0;
    std::string via;  // the chain the check sends on
    bool resolved = false;
    Timer timer;
  };
  struct Result {
    Status status;  // as the check reported it, description filled
    Clock::time_point finished;
    Clock::duration duration;
  };

  struct ResultAge {
    Clock::duration age{};
    Clock::duration fresh_for{};
    bool stale = false;
  };

  // What cached_level() needs, published with a sequence lock so that pollers read it without
  // taking mutex_. Written only with mutex_ held (publish, schedule_refresh).
  struct Snapshot {
    std::atomic<unsigned> sequence{0};
    std::atomic<bool> has_result{false};
    std::atomic<int> level{0};
    std::atomic<Clock::rep> finished{0};
    std::atomic<Clock::rep> duration{0};
    std::atomic<std::uint64_t> executions{0};  // with the level and duration of the last one
    std::atomic<Clock::rep> next_refresh{0};
  };
  // Written with mutex_ held, read by counts() without it.
  struct Counters {
    std::atomic<std::uint64_t> executions{0};
    std::atomic<std::uint64_t> timeouts{0};
    std::atomic<std::uint64_t> failures{0};
    std::atomic<std::uint64_t> level_changes{0};
  };
  void update_snapshot();
  // From a result's age and the next refresh: usable, fresh for how long, stale or not.
  bool usable(Clock::duration age, Clock::time_point now, Clock::time_point next_refresh,
              ResultAge& memory) const;

  bool background() const noexcept { return endpoint_.interval.count() > 0; }
  // With mutex_ held: whether the last result may answer now, and how fresh it is.
  bool last_usable(Clock::time_point now, ResultAge& memory) const;
  std::optional<Outcome> usable_outcome(Clock::time_point now) const;
  // With mutex_ held.
  Execution* find_execution(std::uint64_t id);
  Execution* find_key(const std::string& key);
  Execution& begin_execution(Clock::time_point now, std::string key, int hops, std::string via);
  void end_execution(std::uint64_t id);
  std::vector<Waiter> take_waiters(std::uint64_t execution);

  bool shared_execution(std::uint64_t id);  // takes mutex_
  void launch(std::uint64_t id);
  void arm_execution_deadline(std::uint64_t id, Clock::time_point deadline);
  void arm_waiter_deadline(std::uint64_t id, Clock::time_point deadline);
  void finish(std::uint64_t id, Status status);
  void execution_deadline(std::uint64_t id);
  void waiter_deadline(std::uint64_t id);
  void refresh();
  void schedule_refresh(Clock::time_point at);
  // Answers the waiters of execution `id` and unlocks `lock`; a shared execution's result is
  // also remembered, dampened and told to listeners.
  void answer_waiters(std::uint64_t id, bool shared, Clock::time_point started, Status status,
                      Clock::time_point now, std::unique_lock<std::mutex>& lock);
  void publish(Status status, Clock::time_point started, Clock::time_point now,
               std::vector<Waiter> waiters, std::unique_lock<std::mutex>& lock);
  void dampen(const Status& raw, Clock::time_point now);
  void deliver_changes();
  std::shared_ptr<Gate> gate() const;

  const StatusEndpoint endpoint_;
  const bool internal_;
  const std::chrono::milliseconds timeout_;
  const std::optional<std::chrono::milliseconds> max_stale_;
  Engine& engine_;

  mutable std::mutex mutex_;
  std::uint64_t exec_seq_ = 0;
  std::list<Execution> executions_;  // at most one per key
  std::uint64_t waiter_seq_ = 0;
  std::vector<Waiter> waiters_;
  std::optional<Result> last_;
  Clock::time_point next_refresh_;
  Timer refresh_timer_;
  // Flap dampening: the level shown, and the run of results that disagree with it.
  Status shown_;
  int disagreeing_ = 0;
  std::vector<StatusChange> changes_;  // not yet told to listeners
  Snapshot snapshot_;
  Counters counters_;
  std::mutex deliver_mutex_;
};

}  // namespace healthchecks::detail
