// EndpointState: flap dampening (the level shown changes only after enough results agree) and
// telling the engine of each change, in order.
#include "core/endpoint_state.hpp"
#include "core/engine.hpp"

namespace healthchecks::detail {

void EndpointState::dampen(const Status& raw, Clock::time_point) {
  const bool shown_ok = shown_.level == Level::ok;
  const bool raw_ok = raw.level == Level::ok;
  const auto change = [&](Level from) {
    counters_.level_changes.fetch_add(1, std::memory_order_relaxed);
    changes_.push_back(StatusChange{endpoint_.slug, endpoint_.name, from, raw.level, raw,
                                    std::chrono::system_clock::now()});
  };
  if (shown_ok == raw_ok) {
    disagreeing_ = 0;
    if (raw.level != shown_.level) change(shown_.level);
    shown_ = raw;
    return;
  }
  const int needed = shown_ok ? endpoint_.failures_before_crit : endpoint_.successes_before_ok;
  if (++disagreeing_ >= needed) {
    disagreeing_ = 0;
    change(shown_.level);
    shown_ = raw;
    return;
  }
  // Not yet: keep the level shown, and say what is on its way.
  const std::string progress = std::to_string(disagreeing_) + " of " + std::to_string(needed);
  if (shown_ok) {
    shown_ = Status::ok(endpoint_.name, progress + " consecutive failures before " +
                                            std::string(to_string(raw.level)) +
                                            "; last: " + raw.details);
  } else {
    const auto base = shown_.details.substr(0, shown_.details.find(" (recovering: "));
    shown_.details = base + " (recovering: " + progress + " consecutive OK results)";
  }
}

void EndpointState::deliver_changes() {
  // One deliverer at a time, taking changes in the order they were recorded.
  std::lock_guard<std::mutex> delivering(deliver_mutex_);
  std::vector<StatusChange> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(changes_);
  }
  for (const auto& change : batch) engine_.notify(change);
}

}  // namespace healthchecks::detail
