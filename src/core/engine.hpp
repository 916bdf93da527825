// The engine behind Registry: the endpoints in registration order, the runtime their checks run
// on (made at start()), the level-change listeners and history, problems and secrets.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint_state.hpp"
#include "core/gate.hpp"
#include "healthchecks/registry.hpp"
#include "runtime/runtime.hpp"

namespace healthchecks::detail {

/// Throws Error ("registration: ...") when `endpoint` cannot be registered (registry.cpp).
void validate(const StatusEndpoint& endpoint);

class Engine {
 public:
  Engine(About about, RegistryOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void add(StatusEndpoint endpoint);
  void start();
  bool started() const;

  const About& about() const noexcept { return about_; }
  const RegistryOptions& options() const noexcept { return options_; }
  const std::vector<std::shared_ptr<EndpointState>>& endpoints() const noexcept {
    return endpoints_;
  }
  /// The endpoint registered under `slug`, or nullptr.
  EndpointState* find(std::string_view slug) const noexcept;
  /// The threads checks and timers run on; made by start(), so only valid after it.
  Runtime& runtime() noexcept { return *runtime_; }
  /// A random id for this registry, so that a request that comes back to it is recognised.
  const std::string& instance_id() const noexcept { return instance_id_; }
  const std::shared_ptr<Gate>& gate() const noexcept { return gate_; }

  /// The last RegistryOptions::history_size changes, oldest first, and a number that changes
  /// whenever they do (so that renderings of them can be kept until then).
  std::deque<StatusChange> history() const;
  std::uint64_t history_generation() const noexcept {
    return history_generation_.load(std::memory_order_acquire);
  }

  /// Tells the listeners and the history of one change.
  void notify(const StatusChange& change);
  /// Adds a listener until the returned id is passed to unsubscribe().
  std::uint64_t subscribe(StatusListener listener);
  /// After it returns, the listener is not running and will not be called again (unless called
  /// from the listener itself, which then finishes its current call).
  void unsubscribe(std::uint64_t id);

  /// Tells RegistryOptions::on_problem of an execution that timed out or threw.
  void problem(const StatusEndpoint& endpoint, CheckProblem::Kind kind, const std::string& details);
  /// `text` with every RegistryOptions::secrets value replaced by "***".
  std::string scrub(std::string text) const;
  void scrub(Status& status) const;

  /// Registry::set_ready: false while the instance drains.
  void set_ready(bool ready) noexcept { ready_.store(ready, std::memory_order_release); }
  bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

  /// Changes whenever any endpoint's remembered result or refresh time does (after its
  /// snapshot), so that what was concluded from all of them can be kept until then.
  std::uint64_t results_generation() const noexcept {
    return results_generation_.load(std::memory_order_acquire);
  }
  void results_changed() noexcept { results_generation_.fetch_add(1, std::memory_order_acq_rel); }

  /// Takes one of the RegistryOptions::max_caller_executions slots; false when none is free.
  bool claim_caller_execution() noexcept;
  void release_caller_execution() noexcept;

 private:
  About about_;
  RegistryOptions options_;
  std::shared_ptr<Gate> gate_;
  std::unique_ptr<Runtime> runtime_;
  std::vector<std::shared_ptr<EndpointState>> endpoints_;
  mutable std::mutex mutex_;  // started_, history_, listeners_

  // A listener runs under its own mutex, so that unsubscribe() can wait for a running call.
  struct Listener {
    std::uint64_t id;
    std::recursive_mutex running;
    StatusListener listener;  // empty once unsubscribed
  };
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::uint64_t listener_seq_ = 0;

  bool started_ = false;
  // start() runs once; a caller that comes while it runs waits for the runtime it makes.
  std::once_flag start_once_;
  std::string instance_id_;
  std::deque<StatusChange> history_;
  std::atomic<std::uint64_t> history_generation_{0};
  std::atomic<std::uint64_t> results_generation_{0};
  std::atomic<std::size_t> caller_executions_{0};
  std::atomic<bool> ready_{true};
  std::vector<std::string> secrets_;  // as given and as written inside JSON strings
};

}  // namespace healthchecks::detail
