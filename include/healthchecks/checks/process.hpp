// The service's own process: resident memory and CPU use against thresholds (the Node port's
// "self" check).
#pragma once

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

namespace healthchecks::checks {

struct ProcessOptions {
  /// Resident memory thresholds in MiB (0: none).
  double warn_rss_mib = 0;
  double crit_rss_mib = 0;
  /// CPU use thresholds in percent of one core, averaged since the previous run of the check
  /// (since the process started, at the first run). 0: none.
  double warn_cpu_percent = 0;
  double crit_cpu_percent = 0;
};

/// "RSS 12.3 MiB, CPU 3.1% of a core over the last 10.0 s; WARN above 256 MiB". Reads
/// /proc/self; CRIT when it cannot.
/// @throws Error ("check: ...") if a WARN threshold is above its CRIT one.
HEALTHCHECKS_EXPORT Check process(ProcessOptions options);

}  // namespace healthchecks::checks
