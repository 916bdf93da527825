// EndpointState: what a remembered result may still answer (cache, background refresh,
// staleness), and the lock-free snapshot of it that aggregate polls read.
#include "core/endpoint_state.hpp"
#include "core/engine.hpp"

#include "util/text.hpp"

namespace healthchecks::detail {
namespace {
double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}
}  // namespace

// Inline: cached_level() runs it once per endpoint per poll (out of line, an aggregate of 100
// cached checks cost 7 % more instructions, measured with callgrind).
inline bool EndpointState::usable(Clock::duration age, Clock::time_point now,
                                  Clock::time_point next_refresh, ResultAge& memory) const {
  if (background()) {
    memory.fresh_for = std::max(Clock::duration::zero(), next_refresh - now);
  } else if (endpoint_.cache_ttl.count() > 0 && age < endpoint_.cache_ttl) {
    memory.fresh_for = endpoint_.cache_ttl - age;
  } else {
    return false;
  }
  memory.age = age;
  memory.stale = max_stale_ && age > *max_stale_;
  if (memory.stale) memory.fresh_for = Clock::duration::zero();
  return true;
}

bool EndpointState::last_usable(Clock::time_point now, ResultAge& memory) const {
  return last_ && usable(now - last_->finished, now, next_refresh_, memory);
}

void EndpointState::update_snapshot() {
  auto& s = snapshot_;
  const unsigned sequence = s.sequence.load(std::memory_order_relaxed);
  s.sequence.store(sequence + 1, std::memory_order_relaxed);  // odd: being written
  std::atomic_thread_fence(std::memory_order_release);
  s.has_result.store(last_.has_value(), std::memory_order_relaxed);
  s.level.store(static_cast<int>(shown_.level), std::memory_order_relaxed);
  s.finished.store(last_ ? last_->finished.time_since_epoch().count() : 0,
                   std::memory_order_relaxed);
  s.duration.store(last_ ? last_->duration.count() : 0, std::memory_order_relaxed);
  s.executions.store(counters_.executions.load(std::memory_order_relaxed),
                     std::memory_order_relaxed);
  s.next_refresh.store(next_refresh_.time_since_epoch().count(), std::memory_order_relaxed);
  s.sequence.store(sequence + 2, std::memory_order_release);
  engine_.results_changed();
}

std::optional<Outcome> EndpointState::usable_outcome(Clock::time_point now) const {
  ResultAge memory;
  if (!last_usable(now, memory)) return std::nullopt;
  Outcome outcome{shown_, last_->duration, seconds(memory.age), seconds(memory.fresh_for)};
  if (memory.stale) {
    // Nobody could refresh it: it is not OK any more, whatever it said.
    outcome.status.level = worst(shown_.level, Level::warn);
    outcome.status.details = "stale: the last result is " + format_ms(memory.age) +
                             " old, older than the " + format_ms(*max_stale_) + " limit; it said " +
                             std::string(to_string(shown_.level)) +
                             (shown_.details.empty() ? "" : ": " + shown_.details);
  }
  return outcome;
}

bool EndpointState::cached_level(Clock::time_point now, CachedLevel& glance) const {
  const auto& s = snapshot_;
  bool has_result;
  Level level;
  Clock::time_point finished;
  Clock::time_point next_refresh;
  for (;;) {
    const unsigned before = s.sequence.load(std::memory_order_acquire);
    if (before & 1u) continue;  // a writer is in the middle
    has_result = s.has_result.load(std::memory_order_relaxed);
    level = static_cast<Level>(s.level.load(std::memory_order_relaxed));
    finished = Clock::time_point(Clock::duration(s.finished.load(std::memory_order_relaxed)));
    next_refresh =
        Clock::time_point(Clock::duration(s.next_refresh.load(std::memory_order_relaxed)));
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.sequence.load(std::memory_order_relaxed) == before) break;
  }
  ResultAge memory;
  if (!has_result || !usable(now - finished, now, next_refresh, memory)) return false;
  glance.age = memory.age;
  glance.fresh_for = memory.fresh_for;
  glance.level = memory.stale ? worst(level, Level::warn) : level;
  if (!background()) {
    glance.holds_for = memory.fresh_for;  // then it is no longer usable
  } else if (max_stale_ && !memory.stale) {
    glance.holds_for = *max_stale_ - memory.age;  // then it reads stale
  }
  return true;
}

EndpointState::Counts EndpointState::counts(Clock::time_point now) const {
  const auto& s = snapshot_;
  Counts counts;
  Clock::time_point finished;
  for (;;) {
    const unsigned before = s.sequence.load(std::memory_order_acquire);
    if (before & 1u) continue;  // a writer is in the middle
    counts.has_result = s.has_result.load(std::memory_order_relaxed);
    counts.level = static_cast<Level>(s.level.load(std::memory_order_relaxed));
    finished = Clock::time_point(Clock::duration(s.finished.load(std::memory_order_relaxed)));
    counts.duration = Clock::duration(s.duration.load(std::memory_order_relaxed));
    counts.executions = s.executions.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.sequence.load(std::memory_order_relaxed) == before) break;
  }
  if (counts.has_result) {
    counts.age = std::max(Clock::duration::zero(), now - finished);
    // As answers show it: a result older than max_stale is not OK any more.
    if (max_stale_ && counts.age > *max_stale_) counts.level = worst(counts.level, Level::warn);
  }
  // Counted before the snapshot that publishes their result: at least as new as it.
  counts.timeouts = counters_.timeouts.load(std::memory_order_relaxed);
  counts.failures = counters_.failures.load(std::memory_order_relaxed);
  counts.level_changes = counters_.level_changes.load(std::memory_order_relaxed);
  return counts;
}

EndpointState::Remembered EndpointState::remembered(Clock::time_point now) const {
  Remembered in_place;
  in_place.lock = std::unique_lock<std::mutex>(mutex_);
  ResultAge memory;
  if (!last_usable(now, memory)) return in_place;
  in_place.duration = last_->duration;
  in_place.age = memory.age;
  in_place.fresh_for = memory.fresh_for;
  in_place.shown = &shown_;
  if (memory.stale) in_place.stale = usable_outcome(now)->status;  // rare: a copy, told as stale
  return in_place;
}

std::optional<Outcome> EndpointState::cached_outcome(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return usable_outcome(now);
}

}  // namespace healthchecks::detail
