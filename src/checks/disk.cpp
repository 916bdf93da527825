#include "healthchecks/checks/disk.hpp"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "healthchecks/error.hpp"
#include "util/text.hpp"

namespace healthchecks::checks {
namespace {

using detail::format_number;

std::string gib(double bytes) {
  return format_number("%.1f", bytes / (1024.0 * 1024 * 1024));
}

}  // namespace

Check disk(DiskOptions options) {
  // Named as C++ callers know them (the sidecar checks its own keys before calling).
  if (options.path.empty()) {
    throw Error("check", "disk: path is empty; expected a path such as \"/\"");
  }
  if (options.path.find('\0') != std::string::npos) {
    throw Error("check", "disk: path holds a NUL character");
  }
  if (!(0 <= options.crit_percent_free && options.crit_percent_free <= options.warn_percent_free &&
        options.warn_percent_free <= 100)) {
    throw Error("check", "disk " + options.path +
                             ": expected 0 <= crit_percent_free <= warn_percent_free <= 100, "
                             "found crit_percent_free " +
                             format_number("%g", options.crit_percent_free) +
                             " and warn_percent_free " +
                             format_number("%g", options.warn_percent_free));
  }
  Check check = [options](const CheckContext&) -> Status {
    struct statvfs fs {};
    if (statvfs(options.path.c_str(), &fs) != 0) {
      return Status::crit("cannot read the file system of " + options.path + ": " +
                          std::strerror(errno));
    }
    const double total = static_cast<double>(fs.f_blocks) * fs.f_frsize;
    const double available = static_cast<double>(fs.f_bavail) * fs.f_frsize;  // not root's reserve
    const double free_percent = total > 0 ? 100.0 * available / total : 0;
    const std::string details = options.path + ": " + format_number("%.1f%%", free_percent) +
                                " free (" + gib(available) + " of " + gib(total) +
                                " GiB); WARN below " +
                                format_number("%g%%", options.warn_percent_free) + ", CRIT below " +
                                format_number("%g%%", options.crit_percent_free);
    if (free_percent < options.crit_percent_free) return Status::crit(details);
    if (free_percent < options.warn_percent_free) return Status::warn(details);
    return Status::ok({}, details);
  };
  return std::move(check).with_component_type("system");
}

}  // namespace healthchecks::checks
