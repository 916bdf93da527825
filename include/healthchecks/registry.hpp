// The set of dependencies a service registers, and the engine that runs their checks:
// concurrently, with deadlines, caching, single-flight and background refresh.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "healthchecks/about.hpp"
#include "healthchecks/export.hpp"
#include "healthchecks/health_query.hpp"
#include "healthchecks/status.hpp"
#include "healthchecks/status_endpoint.hpp"

namespace healthchecks {

namespace detail {
class Engine;
}

/// One change of an endpoint's level, as told to a StatusListener.
struct StatusChange {
  std::string slug;
  std::string name;
  Level from = Level::ok;  ///< OK before the first result: a first CRIT or WARN is a change
  Level to = Level::ok;
  /// The status that caused the change (its details say why).
  Status status;
  std::chrono::system_clock::time_point when;
};

/// Called once for every change of an endpoint's level, in order, from a library thread.
/// It must not block for long; it may not call back into the Registry's destructor.
using StatusListener = std::function<void(const StatusChange&)>;

/// A listener's registration (Registry::subscribe): the listener is told of changes until the
/// Subscription is destroyed or reset. Movable; an empty one holds nothing.
class HEALTHCHECKS_EXPORT Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  /// Unsubscribes: once it returns, the listener is not running (unless this is called from
  /// the listener itself) and is not called again.
  ~Subscription();
  void reset() noexcept;
  explicit operator bool() const noexcept { return id_ != 0; }

 private:
  friend class Registry;
  Subscription(std::weak_ptr<detail::Engine> engine, std::uint64_t id) noexcept
      : engine_(std::move(engine)), id_(id) {}
  std::weak_ptr<detail::Engine> engine_;
  std::uint64_t id_ = 0;
};

/// An execution that did not end with an answer of the check's own: it ran past its time-out, or
/// the check threw. Told to RegistryOptions::on_problem, for logs: such a check is broken, not
/// merely reporting its dependency down.
struct CheckProblem {
  enum class Kind { timed_out, threw };
  std::string slug;
  std::string name;
  Kind kind = Kind::timed_out;
  /// What the status says: "timed out after 2000 ms", "check threw: ...".
  std::string details;
  std::chrono::system_clock::time_point when;
};

/// What a request gets before a background or cached check has produced its first result.
enum class FirstResult {
  wait,  ///< run the check and wait for it, up to its deadline
  warn   ///< answer WARN "not checked yet" at once
};

struct RegistryOptions {
  /// Deadline of one check execution unless the endpoint sets its own.
  std::chrono::milliseconds default_timeout{2000};
  /// Before the first result of a background check exists.
  FirstResult first_result = FirstResult::wait;
  /// Told of every level change of every endpoint (for more listeners, or listeners added
  /// later, see Registry::subscribe).
  StatusListener on_change;
  /// Told of every execution that timed out or threw (executions run for callers' hop chains
  /// excepted: those are the callers'). From a library thread; it must not block for long.
  std::function<void(const CheckProblem&)> on_problem;
  /// Values that must never be shown (passwords, tokens): wherever one appears in a status's
  /// details or description, in About or in the history, it reads "***". Values shorter than 4
  /// characters are ignored (they would mask ordinary text).
  std::vector<std::string> secrets;
  /// Keep the last `history_size` changes and show them in About's customData under
  /// `history_key` (0: keep none).
  std::size_t history_size = 0;
  std::string history_key = "statusChanges";
  /// Threads that run I/O for asynchronous checks and timers.
  unsigned io_threads = 1;
  /// Most threads that may run synchronous checks at once. At most one execution of a check
  /// runs at a time, so a hung check pins one thread and no more.
  std::size_t max_check_threads = 64;
  /// Most executions in flight on behalf of callers that send hop headers (peers, or anyone
  /// posing as one). Each chain of services gets executions of its own, so that what one
  /// caller's headers make a check answer reaches no other caller; this bounds how many such
  /// chains run at once. Beyond it such a caller reads the last result obtained without a
  /// chain, whatever its age, or 503 before there is one.
  std::size_t max_caller_executions = 128;
};

/// The service's dependencies and About data.
///
///     healthchecks::Registry registry(healthchecks::load_about("about.json", "version.txt"));
///     registry.add({"MySQL", "db", "internal", [&] { return db.ping(); }});
///     healthchecks::Router router(registry);
///
/// Register everything before the first Router is made (or start() is called); from then on the
/// set is fixed and the registry is safe to use from any thread. Threads are made by start(),
/// not before: a registry that is only filled (to validate a configuration, say) runs nothing.
///
/// Ownership, one rule along the chain Registry -> Router -> Server: each keeps alive what it
/// serves. A Router shares the registry's state and a Server holds its Router, so they may be
/// destroyed in any order.
class HEALTHCHECKS_EXPORT Registry {
 public:
  explicit Registry(About about = About{}, RegistryOptions options = {});
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// Registers a dependency, in order (About lists them in this order; aggregate reports the
  /// first CRIT, else the first WARN, in this order).
  /// @throws Error ("registration: ...") for an empty or duplicate slug, a reserved slug
  ///         (am-i-up, about, aggregate, traverse, v2), characters outside [A-Za-z0-9._-], an
  ///         empty name, a missing check, a traversable endpoint without traverse check, an
  ///         invalid option, or a registration after start().
  Registry& add(StatusEndpoint endpoint);

  /// Freezes the set, makes the threads and starts background refreshes. Making a Router
  /// calls it; idempotent.
  void start();

  /// Tells `listener` of every level change from now on, from a library thread, until the
  /// returned Subscription goes. Any number may be added, before or after start().
  [[nodiscard]] Subscription subscribe(StatusListener listener);

  /// Runs the checks `query` selects as aggregate does (remembered results, single flight,
  /// deadlines) and calls `done` once with the verdict: inline when every result is remembered,
  /// else from a library thread. `done` must not block for long. Starts the registry.
  void check_health(HealthQuery query, std::function<void(HealthAnswer)> done);
  /// Readiness for traffic, as a rolling update needs it. set_ready(false) (on SIGTERM, say)
  /// drains the instance: from then on every aggregate (v1 and v2, with any ?type= or ?tag=, and
  /// traverse's action=aggregate) answers 503 with CRIT "Draining" without running a check, so
  /// load balancers and readiness probes take it out of rotation while it keeps serving the
  /// requests it still gets. am-i-up (liveness) stays 200, and About and /status/{slug} still
  /// report the dependencies. set_ready(true) undoes it. Ready from the start; any thread.
  void set_ready(bool ready) noexcept;
  bool ready() const noexcept;

  const About& about() const noexcept;
  /// The registered endpoints, in registration order.
  std::vector<const StatusEndpoint*> endpoints() const;

 private:
  friend class Router;
  friend class MetricsReader;
  std::shared_ptr<detail::Engine> engine_;
};

}  // namespace healthchecks
