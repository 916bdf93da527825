// Lets callbacks that arrive from other threads (a check finishing, a timer firing) know
// whether the registry they belong to still exists, and keeps it alive while they run.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace healthchecks::detail {

class Gate {
 public:
  /// Enters if the gate is open. Re-entrant: a callback may start another one inline.
  bool enter() noexcept {
    active_.fetch_add(1);
    if (closed_.load()) {
      active_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void leave() noexcept { active_.fetch_sub(1); }

  /// Refuses new entries and waits until everybody inside has left.
  void close() noexcept {
    closed_.store(true);
    while (active_.load() != 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }

 private:
  std::atomic<int> active_{0};
  std::atomic<bool> closed_{false};
};

/// RAII entry: `if (GateEntry in{*gate}; in) { ... }`.
class GateEntry {
 public:
  explicit GateEntry(Gate& gate) noexcept : gate_(gate), entered_(gate.enter()) {}
  ~GateEntry() {
    if (entered_) gate_.leave();
  }
  GateEntry(const GateEntry&) = delete;
  GateEntry& operator=(const GateEntry&) = delete;
  explicit operator bool() const noexcept { return entered_; }

 private:
  Gate& gate_;
  bool entered_;
};

}  // namespace healthchecks::detail
