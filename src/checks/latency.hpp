// How the probes that time an answer (redis, postgres) judge it: OK, or WARN past a threshold.
#pragma once

#include <chrono>
#include <string>

#include "healthchecks/status.hpp"
#include "util/text.hpp"

namespace healthchecks::detail {

/// OK with `said`, or WARN "<said> (WARN above N ms)" when `took` passed a non-zero `warn_after`.
inline Status judge_latency(const std::string& said, std::chrono::steady_clock::duration took,
                            std::chrono::milliseconds warn_after) {
  if (warn_after.count() > 0 && took > warn_after) {
    return Status::warn(said + " (WARN above " + format_ms(warn_after) + ")");
  }
  return Status::ok({}, said);
}

}  // namespace healthchecks::detail
