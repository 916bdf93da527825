#include "healthchecks/checks/disk.hpp"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "healthchecks/error.hpp"

namespace healthchecks::checks {
namespace {

std::string percent(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", value);
  return buffer;
}

std::string gib(double bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", bytes / (1024.0 * 1024 * 1024));
  return buffer;
}

std::string threshold(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g%%", value);
  return buffer;
}

}  // namespace

Check disk(DiskOptions options) {
  if (!(0 <= options.crit_percent_free && options.crit_percent_free <= options.warn_percent_free &&
        options.warn_percent_free <= 100)) {
    throw Error("check", "disk " + options.path +
                             ": expected 0 <= critPercentFree <= warnPercentFree <= 100");
  }
  return [options](const CheckContext&) -> Status {
    struct statvfs fs {};
    if (statvfs(options.path.c_str(), &fs) != 0) {
      return Status::crit(
          {}, "cannot read the file system of " + options.path + ": " + std::strerror(errno));
    }
    const double total = static_cast<double>(fs.f_blocks) * fs.f_frsize;
    const double available = static_cast<double>(fs.f_bavail) * fs.f_frsize;  // not root's reserve
    const double free_percent = total > 0 ? 100.0 * available / total : 0;
    const std::string details = options.path + ": " + percent(free_percent) + " free (" +
                                gib(available) + " of " + gib(total) + " GiB); WARN below " +
                                threshold(options.warn_percent_free) + ", CRIT below " +
                                threshold(options.crit_percent_free);
    if (free_percent < options.crit_percent_free) return Status::crit({}, details);
    if (free_percent < options.warn_percent_free) return Status::warn({}, details);
    return Status::ok({}, details);
  };
}

}  // namespace healthchecks::checks
