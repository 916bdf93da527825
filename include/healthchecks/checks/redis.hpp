// Redis: PING (after AUTH and SELECT when configured), spoken in RESP directly over Asio.
#pragma once

#include <chrono>
#include <string>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

namespace healthchecks::checks {

struct RedisOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 6379;
  /// Sent with AUTH first when not empty (with `username` for Redis 6 ACL users).
  std::string username;
  std::string password;
  /// Sent with SELECT when not 0.
  int db = 0;
  /// WARN when the answer takes longer than this (0: never).
  std::chrono::milliseconds warn_after{0};
};

/// OK when Redis answers PONG: "PONG from 127.0.0.1:6379 in 0.3 ms". WARN when slower than
/// `warn_after`. CRIT, saying which, when it cannot connect, times out, refuses the password
/// ("authentication failed ... WRONGPASS ..."), wants one ("authentication required ...
/// NOAUTH"), refuses the database, or answers anything but PONG. A new connection per run:
/// with caching or a background interval, runs are rare. Asynchronous: no thread waits.
HEALTHCHECKS_EXPORT Check redis(RedisOptions options);

}  // namespace healthchecks::checks
