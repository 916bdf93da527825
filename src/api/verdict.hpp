// The aggregate's verdict from its dependencies' levels, shared by the aggregate answer and the
// metrics (healthchecks_aggregate_status), so that both combine levels the same way.
#pragma once

#include <cstddef>

#include "healthchecks/status.hpp"

namespace healthchecks::detail {

// The aggregate's verdict, deterministic: the first CRIT, else the first WARN, in registration
// order. A non-critical dependency's CRIT counts as WARN: the service is degraded, not down.
struct Verdict {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t crit = none;
  std::size_t warn = none;
  bool demoted = false;  // the WARN is a non-critical CRIT

  bool decided() const noexcept { return crit != none; }
  void add(std::size_t i, Level level, bool critical) {
    if (decided() || level == Level::ok) return;
    if (level == Level::crit && critical) {
      crit = i;
    } else if (warn == none) {
      warn = i;
      demoted = level == Level::crit;
    }
  }
  std::size_t chosen() const noexcept { return decided() ? crit : warn; }
  /// The level of the answer (a non-critical CRIT reads WARN).
  Level level() const noexcept {
    return decided() ? Level::crit : warn != none ? Level::warn : Level::ok;
  }
  Status finish(Status status) const {
    if (!decided() && demoted) {
      status.level = Level::warn;
      status.details = "CRIT, but not critical for this service: " + status.details;
    }
    return status;
  }
};

}  // namespace healthchecks::detail
