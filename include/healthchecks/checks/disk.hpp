// Free space of the file system that holds a path.
#pragma once

#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

namespace healthchecks::checks {

struct DiskOptions {
  std::string path = "/";
  /// WARN when less than this share of the file system is free (percent).
  double warn_percent_free = 10;
  /// CRIT when less than this is free.
  double crit_percent_free = 5;
};

/// "/var/lib: 42.3% free (85.1 of 201.2 GiB); WARN below 10%, CRIT below 5%". Space reserved
/// for root does not count as free. CRIT when the path cannot be read (statvfs error). Runs on
/// a worker thread (statvfs can block on a network file system).
/// @throws Error ("check: ...") if the thresholds are not 0 <= crit <= warn <= 100.
HEALTHCHECKS_EXPORT Check disk(DiskOptions options);

}  // namespace healthchecks::checks
