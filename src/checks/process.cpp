#include "healthchecks/checks/process.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#include "healthchecks/error.hpp"
#include "util/text.hpp"

namespace healthchecks::checks {
namespace {

using Seconds = std::chrono::duration<double>;

std::optional<double> resident_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stod(line.substr(6)) / 1024.0;  // "VmRSS:   12345 kB"
    }
  }
  return std::nullopt;
}

// CPU seconds used by the process so far, and its age in seconds (from /proc/self/stat).
std::optional<std::pair<double, double>> cpu_and_age() {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat;
  std::getline(stat_file, stat);
  const auto close = stat.rfind(')');  // the command name may contain spaces and parentheses
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0, start = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
    if (i == 22) {
      start = std::stod(field);
      break;
    }
  }
  double uptime = 0;
  std::ifstream("/proc/uptime") >> uptime;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return std::make_pair((utime + stime) / ticks, uptime - start / ticks);
}

// The previous run's reading, so that CPU use is an average over the time since.
struct Previous {
  std::mutex mutex;
  bool valid = false;
  double cpu = 0;
  std::chrono::steady_clock::time_point when;
};

}  // namespace

Check process(ProcessOptions options) {
  const auto ordered = [](double warn, double crit) {
    return warn == 0 || crit == 0 || warn <= crit;
  };
  if (!ordered(options.warn_rss_mib, options.crit_rss_mib) ||
      !ordered(options.warn_cpu_percent, options.crit_cpu_percent)) {
    throw Error("check", "process: a WARN threshold is above its CRIT threshold");
  }
  auto previous = std::make_shared<Previous>();
  Check check = [options, previous](const CheckContext&) -> Status {
    const auto rss = resident_mib();
    const auto cpu = cpu_and_age();
    if (!rss || !cpu) return Status::crit("cannot read /proc/self");
    const auto now = std::chrono::steady_clock::now();
    double used = cpu->first;
    double over = cpu->second;
    {
      std::lock_guard<std::mutex> lock(previous->mutex);
      if (previous->valid) {
        used = cpu->first - previous->cpu;
        over = Seconds(now - previous->when).count();
      }
      previous->valid = true;
      previous->cpu = cpu->first;
      previous->when = now;
    }
    const double cpu_percent = over > 0 ? 100.0 * used / over : 0;

    Level level = Level::ok;
    std::string why;
    const auto against = [&](double value, double warn, double crit, const char* unit,
                             const char* what) {
      if (crit > 0 && value > crit) {
        level = Level::crit;
        why +=
            std::string("; CRIT: ") + what + " above " + detail::format_number("%g", crit) + unit;
      } else if (warn > 0 && value > warn) {
        level = worst(level, Level::warn);
        why +=
            std::string("; WARN: ") + what + " above " + detail::format_number("%g", warn) + unit;
      }
    };
    against(*rss, options.warn_rss_mib, options.crit_rss_mib, " MiB", "RSS");
    against(cpu_percent, options.warn_cpu_percent, options.crit_cpu_percent, "%", "CPU");
    return Status{level,
                  {},
                  "RSS " + detail::format_number("%.1f", *rss) + " MiB, CPU " +
                      detail::format_number("%.1f", cpu_percent) + "% of a core over the last " +
                      detail::format_number("%.1f", over) + " s" + why};
  };
  return std::move(check).with_component_type("system");
}

}  // namespace healthchecks::checks
