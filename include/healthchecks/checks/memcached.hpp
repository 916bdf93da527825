// memcached: `version` and `stats` in the text protocol, spoken directly over Asio.
#pragma once

#include <chrono>
#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

namespace healthchecks::checks {

struct MemcachedOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 11211;
  /// WARN when more items than this are evicted per second between two runs (0: never).
  /// Evictions mean the cache is too small for what it is asked to hold.
  double warn_evictions_per_sec = 0;
  /// WARN when `bytes` is more than this share of `limit_maxbytes`, in percent (0: never).
  double warn_fill_percent = 0;
  /// WARN when the answer takes longer than this (0: never).
  std::chrono::milliseconds warn_after{0};
};

/// OK when memcached answers `version` and `stats`: "memcached 1.6.18 at 127.0.0.1:11211 in
/// 0.31 ms: 12.0% full (0.2 of 2.0 MiB), 0 evictions/s". The eviction rate is measured between
/// two runs of this Check (and its copies): the first run, and the first after the counter went
/// down (a restart), report the total instead ("5 evictions since it started").
/// WARN, saying which threshold passed, above `warn_fill_percent`, `warn_evictions_per_sec` or
/// `warn_after`. CRIT when it cannot connect, times out, or answers anything but a memcached
/// `version` and `stats` (at most 64 KiB of it is read), saying what came back.
/// A new connection per run. Asynchronous: no thread waits.
HEALTHCHECKS_EXPORT Check memcached(MemcachedOptions options);

}  // namespace healthchecks::checks
